// What a training corpus holds and what was left out of it, as data (stored in the model file's
// metadata and its card) and as the few lines shown before training starts.
import { EXCLUSION_LABELS, type ExclusionReason } from './filters';
import type { LanguageShare } from './languages';

export interface CorpusDescription {
  /** Workspace folder names the files came from. */
  readonly folders: readonly string[];
  readonly files: number;
  /** UTF-16 code units of the kept files. */
  readonly characters: number;
  /** Largest first. */
  readonly languages: readonly LanguageShare[];
  /** How many files (or folders) were left out, per reason. */
  readonly excluded: Readonly<Partial<Record<ExclusionReason, number>>>;
  /** Up to a few paths per reason, to show. */
  readonly excludedExamples: Readonly<Partial<Record<ExclusionReason, readonly string[]>>>;
  /** Glob patterns applied while searching (seqlab.include / seqlab.exclude and files.exclude). */
  readonly include: readonly string[];
  readonly exclude: readonly string[];
}

export interface CorpusSummaryText {
  /** "12 files, 3,456 characters: JavaScript 80%, Markdown 20%" */
  readonly headline: string;
  /** One line per exclusion reason, e.g. "2 secrets: .env, certs/server.pem" */
  readonly excluded: string[];
  /** "Patterns never searched: **\/node_modules/**, …" */
  readonly patterns: string;
}

export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

export function percent(part: number, whole: number): string {
  if (whole <= 0) return '0%';
  const p = (100 * part) / whole;
  return p >= 1 || p === 0 ? `${Math.round(p)}%` : '<1%';
}

/** At most `top` languages by name and share, then "N more". */
export function describeLanguages(languages: readonly LanguageShare[], total: number, top = 4): string {
  const shown = languages.slice(0, top).map((l) => `${l.language} ${percent(l.characters, total)}`);
  const rest = languages.length - shown.length;
  return shown.join(', ') + (rest > 0 ? `, ${rest} more` : '');
}

/** Reasons in the order a person cares about them. */
const REASON_ORDER: readonly ExclusionReason[] = [
  'secret', 'binary', 'too-large', 'sampled-out', 'gitignored', 'ignored-directory', 'symlink', 'unreadable',
];

export function summarizeCorpus(c: CorpusDescription, examplesPerReason = 3): CorpusSummaryText {
  const files = `${formatCount(c.files)} file${c.files === 1 ? '' : 's'}`;
  const languages = c.languages.length ? `: ${describeLanguages(c.languages, c.characters)}` : '';
  const headline = `${files}, ${formatCount(c.characters)} characters${languages}`;
  const excluded: string[] = [];
  for (const reason of REASON_ORDER) {
    const n = c.excluded[reason] ?? 0;
    if (n === 0) continue;
    const label = n === 1 ? EXCLUSION_LABELS[reason].one : EXCLUSION_LABELS[reason].many;
    const examples = (c.excludedExamples[reason] ?? []).slice(0, examplesPerReason);
    const more = n > examples.length && examples.length > 0 ? ', …' : '';
    excluded.push(`${formatCount(n)} ${label}${examples.length ? `: ${examples.join(', ')}${more}` : ''}`);
  }
  const patterns = c.exclude.length ? `Never searched: ${c.exclude.join(', ')}` : 'No exclude patterns';
  return { headline, excluded, patterns };
}
