// Work the editor asks for on every keystroke (Inside the Model's inspection and gradient flow):
// at most one run at a time, the next no sooner than `interval` after the last one started, and
// the requests that come in meanwhile folded into one run after it.

/** The timer functions a throttle uses (tests pass a fake clock). */
export interface Clock {
  now(): number;
  setTimeout(run: () => void, ms: number): unknown;
  clearTimeout(timer: unknown): void;
}

const systemClock: Clock = {
  now: () => performance.now(),
  setTimeout: (run, ms) => setTimeout(run, ms),
  clearTimeout: (timer) => clearTimeout(timer as ReturnType<typeof setTimeout>),
};

export class Throttle {
  private running = false;
  private again = false;
  private timer: unknown;
  private lastStart = -Infinity;
  private lastRunMs = 0;
  private disposed = false;

  constructor(
    private readonly task: () => Promise<void>,
    /** The least time from one run's start to the next's, given how long the last run took. */
    private readonly interval: (lastRunMs: number) => number,
    private readonly clock: Clock = systemClock,
  ) {}

  /** Runs the task once the interval has passed (with `now`, at once); while it runs, once more after it. */
  request(now = false): void {
    if (this.disposed) return;
    if (this.running) {
      this.again = true;
      return;
    }
    if (this.timer !== undefined) {
      if (!now) return;
      this.clock.clearTimeout(this.timer);
    }
    const wait = now ? 0 : Math.max(0, this.lastStart + this.interval(this.lastRunMs) - this.clock.now());
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      void this.run();
    }, wait);
  }

  private async run(): Promise<void> {
    this.running = true;
    this.again = false;
    this.lastStart = this.clock.now();
    try {
      await this.task();
    } finally {
      this.lastRunMs = this.clock.now() - this.lastStart;
      this.running = false;
      if (this.again) this.request();
    }
  }

  dispose(): void {
    this.disposed = true;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }
}
