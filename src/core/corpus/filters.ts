// The corpus policy: what must not, or cannot, be trained on, decided by the same pure functions
// for every entry point (the CLI's folder reader in src/node, the workspace corpus and the
// workspace n-gram in src/extension): per path before reading (the workspace's own .seqlab
// folder, secrets by name or folder, .gitignore), per file after reading (size, binary, secrets
// in the text), then the total cap. Callers enumerate and read; this file decides.
// No vscode, no DOM, no Node built-ins.
import type { GitignoreMatcher } from './gitignore';
import { findSecret, secretInPath } from './secrets';

/** Why a file was left out of a training corpus. */
export type ExclusionReason =
  | 'ignored-directory'
  | 'gitignored'
  | 'secret'
  | 'too-large'
  | 'binary'
  | 'symlink'
  | 'unreadable'
  | 'sampled-out';

/** How each reason reads in a summary ("2 secrets"). */
export const EXCLUSION_LABELS: Readonly<Record<ExclusionReason, { one: string; many: string }>> = {
  'ignored-directory': { one: 'ignored directory', many: 'ignored directories' },
  gitignored: { one: 'file ignored by .gitignore', many: 'files ignored by .gitignore' },
  secret: { one: 'secret', many: 'secrets' },
  'too-large': { one: 'file over the size cap', many: 'files over the size cap' },
  binary: { one: 'binary file', many: 'binary files' },
  symlink: { one: 'symbolic link', many: 'symbolic links' },
  unreadable: { one: 'unreadable file', many: 'unreadable files' },
  'sampled-out': { one: 'file left out to keep under the total cap', many: 'files left out to keep under the total cap' },
};

/** A file kept for training. */
export interface CorpusFile {
  /** Relative to its root, '/'-separated (prefixed with the folder's name in a multi-root workspace). */
  readonly path: string;
  readonly text: string;
}

/** A file (or folder, path ending in '/') left out, and why. */
export interface ExcludedFile {
  readonly path: string;
  readonly reason: ExclusionReason;
  /** For secrets: which kind. */
  readonly detail?: string;
}

export interface Exclusion {
  readonly reason: ExclusionReason;
  readonly detail?: string;
}

export interface Corpus<F extends CorpusFile = CorpusFile> {
  /** In path order. */
  readonly files: F[];
  /** In path order. */
  readonly excluded: ExcludedFile[];
  /** UTF-16 code units of the kept files. */
  readonly characters: number;
}

/** Folders no corpus enters whatever the settings: the workspace's own models and their cards. */
export const ALWAYS_IGNORED_FOLDERS: readonly string[] = ['.seqlab'];

/**
 * Why `path` (relative to its root, '/'-separated) is left out before anything is read, or null:
 * the workspace's own .seqlab folder, a secret by name or folder, an ignored .gitignore entry.
 * Works for folders too (`isDirectory`), so a walker need not enter them.
 */
export function excludeByPath(path: string, isDirectory: boolean, gitignore?: GitignoreMatcher): Exclusion | null {
  const parts = path.split('/');
  if (parts.some((p) => ALWAYS_IGNORED_FOLDERS.includes(p)) && (isDirectory || parts.length > 1)) {
    return { reason: 'ignored-directory' };
  }
  const secret = secretInPath(path);
  if (secret !== null) return { reason: 'secret', detail: secret };
  if (gitignore && !gitignore.isEmpty && gitignore.isIgnored(path, isDirectory)) return { reason: 'gitignored' };
  return null;
}

/**
 * The text of a file that passed `excludeByPath`, or why it is left out: over `maxFileBytes`,
 * binary (NUL or invalid UTF-8), or holding a secret. `content` is the file's bytes, or the text
 * of an editor with unsaved changes (measured in UTF-16 code units).
 */
export function judgeFile(content: Uint8Array | string, maxFileBytes: number): { readonly text: string } | Exclusion {
  if (content.length > maxFileBytes) return { reason: 'too-large' };
  const text = typeof content === 'string' ? content : decodeText(content);
  if (text === null) return { reason: 'binary' };
  const secret = findSecret(text);
  if (secret !== null) return { reason: 'secret', detail: secret };
  return { text };
}

/** Kept and excluded files in path order; over `maxTotalChars`, an even sample of the files. */
export function finishCorpus<F extends CorpusFile>(kept: readonly F[], excluded: readonly ExcludedFile[], maxTotalChars = Infinity): Corpus<F> {
  const sorted = [...kept].sort((a, b) => compareCodeUnits(a.path, b.path));
  const keep = sampleEvenly(sorted.map((f) => f.text.length), maxTotalChars);
  const files: F[] = [];
  const out = [...excluded];
  sorted.forEach((f, i) => (keep[i] ? files.push(f) : out.push({ path: f.path, reason: 'sampled-out' })));
  out.sort((a, b) => compareCodeUnits(a.path, b.path));
  return { files, excluded: out, characters: files.reduce((n, f) => n + f.text.length, 0) };
}

/** Counts of excluded paths by reason, e.g. { binary: 2, secret: 1 }. */
export function countExclusions(excluded: readonly ExcludedFile[]): Partial<Record<ExclusionReason, number>> {
  const counts: Partial<Record<ExclusionReason, number>> = {};
  for (const e of excluded) counts[e.reason] = (counts[e.reason] ?? 0) + 1;
  return counts;
}

/** Code-unit order, so a corpus is the same on every platform and locale. */
export function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

// ---- binary -----------------------------------------------------------------------------

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/** The UTF-8 text of `bytes` (without a byte-order mark), or null if they contain NUL or are not valid UTF-8. */
export function decodeText(bytes: Uint8Array): string | null {
  if (bytes.includes(0)) return null;
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return null;
  }
}

// ---- caps -------------------------------------------------------------------------------

/**
 * Which files to keep so that their total size stays within `cap`, spread evenly over the list
 * (systematic sampling: file i is kept when the running share of the cap it has "earned" covers
 * it), so a capped corpus still draws from every part of the workspace rather than from the
 * first folders alphabetically. Everything is kept when the total fits. Deterministic.
 */
export function sampleEvenly(sizes: readonly number[], cap: number): boolean[] {
  const total = sizes.reduce((s, n) => s + n, 0);
  if (total <= cap) return sizes.map(() => true);
  const share = cap / total;
  const keep: boolean[] = [];
  let earned = 0;
  let kept = 0;
  for (const size of sizes) {
    earned += size * share;
    const take = kept + size <= cap && kept + size / 2 <= earned;
    keep.push(take);
    if (take) kept += size;
  }
  return keep;
}
