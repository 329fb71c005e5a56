// Small statistics and formatting helpers shared by the benchmark sections.

export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export function mean(values: readonly number[]): number {
  return values.length ? values.reduce((s, v) => s + v, 0) / values.length : NaN;
}

/** Milliseconds since an arbitrary origin, sub-millisecond. */
export function now(): number {
  return performance.now();
}

/** 1234.5 → "1,235"; NaN → "-". */
export function fmtInt(value: number): string {
  return Number.isFinite(value) ? Math.round(value).toLocaleString('en-US') : '-';
}

export function fmt(value: number, digits = 2): string {
  return Number.isFinite(value) ? value.toFixed(digits) : '-';
}

/** Scientific notation for quantities that span many orders of magnitude (gradient ratios). */
export function fmtSci(value: number, digits = 2): string {
  if (!Number.isFinite(value)) return '-';
  if (value === 0) return '0';
  return value.toExponential(digits);
}

/** Rounds every float in a JSON-bound value to `digits` significant digits. */
export function roundFloat(value: number, digits = 5): number {
  return Number.isFinite(value) && !Number.isInteger(value) ? Number(value.toPrecision(digits)) : value;
}

/** Logs progress to stderr, so stdout keeps the tables and the final JSON line. */
export function log(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}
