// Progress on stderr: a bar redrawn in place on a terminal, plain lines (one per tenth of the
// work) when stderr is a file or a pipe, so logs stay readable.

export interface ProgressStream {
  write(text: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

/** "[#######.............]  35% label", cut to `columns` characters. */
export function renderBar(fraction: number, label: string, columns: number, barWidth = 24): string {
  const f = Math.min(1, Math.max(0, Number.isFinite(fraction) ? fraction : 0));
  const filled = Math.round(f * barWidth);
  const percent = `${Math.floor(f * 100)}%`.padStart(4);
  const line = `[${'#'.repeat(filled)}${'.'.repeat(barWidth - filled)}] ${percent} ${label}`;
  return line.length > columns ? line.slice(0, Math.max(0, columns)) : line;
}

export class Progress {
  private shown = false;
  private lastDraw = -Infinity;
  private nextTenth = 1;
  private label = '';
  private fraction = 0;

  constructor(
    private readonly stream: ProgressStream,
    private readonly now: () => number = () => Date.now(),
  ) {}

  private get tty(): boolean {
    return this.stream.isTTY === true;
  }

  /** Sets how far along the work is (0..1) and what to say about it. */
  update(fraction: number, label: string): void {
    this.fraction = fraction;
    this.label = label;
    if (this.tty) {
      // At most ten redraws a second, but always the last one.
      if (this.now() - this.lastDraw >= 100 || fraction >= 1) this.draw();
      return;
    }
    if (fraction * 10 >= this.nextTenth) {
      this.nextTenth = Math.floor(fraction * 10) + 1;
      this.stream.write(`${Math.floor(Math.min(1, fraction) * 100)}% ${label}\n`);
    }
  }

  /** A line that stays (the bar, if any, is redrawn below it). */
  log(line: string): void {
    if (this.tty && this.shown) this.stream.write('\r\x1b[2K');
    this.stream.write(line + '\n');
    if (this.tty && this.shown) this.draw();
  }

  /** Removes the bar; later output starts on a clean line. */
  done(): void {
    if (this.tty && this.shown) this.stream.write('\r\x1b[2K');
    this.shown = false;
    this.nextTenth = 1;
  }

  private draw(): void {
    this.lastDraw = this.now();
    this.shown = true;
    const columns = Math.max(20, (this.stream.columns || 80) - 1);
    this.stream.write(`\r\x1b[2K${renderBar(this.fraction, this.label, columns)}`);
  }
}
