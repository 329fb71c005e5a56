// A finished arena run as plain data (saved in the workspace, exported as JSON) and as CSV.
import type { ArenaBudget, ArenaResult, ArenaRow, CurvePoint } from './arena';

export interface ArenaRunRecord {
  readonly version: 1;
  readonly id: string;
  readonly createdAt: string;
  readonly dataset: string;
  readonly budget: ArenaBudget;
  readonly backend: string;
  readonly rows: ArenaRow[];
  readonly curves: CurvePoint[][];
}

export function arenaRecord(result: ArenaResult, id: string, backend: string, createdAt = new Date().toISOString()): ArenaRunRecord {
  return {
    version: 1,
    id,
    createdAt,
    dataset: result.dataset,
    budget: result.budget,
    backend,
    rows: result.entries.map((e) => e.row),
    curves: result.entries.map((e) => e.curve),
  };
}

export const CSV_COLUMNS = [
  'contender',
  'parameters',
  'held_out_bits_per_char',
  'training_bits_per_char',
  'keystroke_savings',
  'latency_ms',
  'tokens_per_second',
  'tokens_seen',
  'seconds',
  'task_accuracy',
] as const;

function csvField(value: string | number | null): string {
  if (value === null) return '';
  const text = typeof value === 'number' ? (Number.isInteger(value) ? String(value) : value.toPrecision(6)) : value;
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One line per contender, RFC 4180 quoting. */
export function arenaCsv(record: Pick<ArenaRunRecord, 'rows'>): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const r of record.rows) {
    lines.push(
      [r.label, r.parameters, r.heldOutBitsPerChar, r.trainingBitsPerChar ?? null, r.keystrokeSavings, r.latencyMs, r.tokensPerSecond, r.tokensSeen, r.seconds, r.taskAccuracy]
        .map(csvField)
        .join(','),
    );
  }
  return `${lines.join('\r\n')}\r\n`;
}
