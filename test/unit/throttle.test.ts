// The throttle behind Inside the Model's updates, on a fake clock: requests fold into one run,
// runs never overlap, the interval counts from the last run's start, `now` skips the wait.
import * as assert from 'node:assert/strict';
import { Throttle, type Clock } from '../../src/core/visualization/throttle';

class FakeClock implements Clock {
  time = 0;
  private timers: Array<{ at: number; run: () => void; id: number }> = [];
  private nextId = 0;
  now(): number {
    return this.time;
  }
  setTimeout(run: () => void, ms: number): unknown {
    const id = this.nextId++;
    this.timers.push({ at: this.time + ms, run, id });
    return id;
  }
  clearTimeout(timer: unknown): void {
    this.timers = this.timers.filter((t) => t.id !== timer);
  }
  /** Moves time on, firing due timers in order (and letting the tasks they start settle). */
  async advance(ms: number): Promise<void> {
    const end = this.time + ms;
    for (;;) {
      this.timers.sort((a, b) => a.at - b.at);
      const next = this.timers[0];
      if (!next || next.at > end) break;
      this.timers.shift();
      this.time = next.at;
      next.run();
      for (let i = 0; i < 5; i++) await Promise.resolve();
    }
    this.time = end;
  }
}

/** A task that takes `costMs` of fake time and records when each run started. */
function task(clock: FakeClock, costMs: number) {
  const starts: number[] = [];
  let release: (() => void) | undefined;
  let active = 0;
  let overlapped = false;
  const run = () => {
    starts.push(clock.time);
    if (++active > 1) overlapped = true;
    return new Promise<void>((resolve) => {
      release = () => {
        active--;
        resolve();
      };
      clock.setTimeout(() => release?.(), costMs);
    });
  };
  return { run, starts, overlapped: () => overlapped };
}

describe('throttle', () => {
  it('runs the first request at once and folds a burst into one later run', async () => {
    const clock = new FakeClock();
    const t = task(clock, 10);
    const throttle = new Throttle(t.run, () => 100, clock);
    throttle.request();
    await clock.advance(0);
    assert.deepEqual(t.starts, [0]);
    for (let i = 0; i < 5; i++) {
      await clock.advance(5);
      throttle.request(); // during and after the run: one more run, 100 ms after the first started
    }
    await clock.advance(500);
    assert.deepEqual(t.starts, [0, 100]);
    assert.equal(t.overlapped(), false);
  });

  it('asks for one more run when requested while running, and never overlaps', async () => {
    const clock = new FakeClock();
    const t = task(clock, 50);
    const throttle = new Throttle(t.run, (ran) => ran + 20, clock);
    throttle.request();
    await clock.advance(10);
    throttle.request();
    throttle.request();
    await clock.advance(1000);
    // The second run: 50 ms of the first, then 20 ms after it ended.
    assert.deepEqual(t.starts, [0, 70]);
    assert.equal(t.overlapped(), false);
  });

  it('`now` skips a pending wait; dispose cancels it', async () => {
    const clock = new FakeClock();
    const t = task(clock, 1);
    const throttle = new Throttle(t.run, () => 1000, clock);
    throttle.request();
    await clock.advance(10);
    throttle.request();
    await clock.advance(10);
    throttle.request(true);
    await clock.advance(0);
    assert.deepEqual(t.starts, [0, 20]);
    throttle.request();
    throttle.dispose();
    await clock.advance(5000);
    assert.deepEqual(t.starts, [0, 20]);
  });
});
