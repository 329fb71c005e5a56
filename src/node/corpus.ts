// Reads a directory into training documents (one per file), leaving out what must not or
// cannot be trained on, and saying what was left out and why: build output and dependencies,
// binary files, files too large to be source, and anything that looks like a secret.
import { lstatSync, readdirSync, readFileSync, type Dirent } from 'node:fs';
import * as path from 'node:path';
import { decodeText, findSecret, isSecretFileName } from '../core/corpus/filters';
import { splitCorpus } from '../core/training/tokenStream';

/** Directories never entered: dependencies, version control and build output. */
export const IGNORED_DIRECTORIES: readonly string[] = ['node_modules', '.git', 'dist', 'out'];
export const DEFAULT_MAX_FILE_BYTES = 1024 * 1024;

export type ExclusionReason = 'ignored-directory' | 'secret' | 'too-large' | 'binary' | 'symlink' | 'unreadable';

export interface CorpusFile {
  /** Path relative to the root, '/'-separated. */
  readonly path: string;
  readonly text: string;
}

export interface ExcludedPath {
  /** Relative, '/'-separated; an ignored directory ends with '/'. */
  readonly path: string;
  readonly reason: ExclusionReason;
}

export interface Corpus {
  /** In path order. */
  readonly files: CorpusFile[];
  /** In path order. */
  readonly excluded: ExcludedPath[];
  /** Total UTF-16 code units of the kept files. */
  readonly characters: number;
}

export interface CorpusOptions {
  /** Files larger than this are left out (default 1 MiB). */
  readonly maxFileBytes?: number;
}

/** Every text file under `root` that is safe and sensible to train on. */
export function readCorpus(root: string, options: CorpusOptions = {}): Corpus {
  const maxFileBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  const files: CorpusFile[] = [];
  const excluded: ExcludedPath[] = [];

  const walk = (dir: string, relative: string): void => {
    const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => compareNames(a.name, b.name));
    for (const entry of entries) {
      const rel = relative ? `${relative}/${entry.name}` : entry.name;
      const abs = path.join(dir, entry.name);
      if (entry.isSymbolicLink()) excluded.push({ path: rel, reason: 'symlink' });
      else if (entry.isDirectory()) {
        if (IGNORED_DIRECTORIES.includes(entry.name)) excluded.push({ path: `${rel}/`, reason: 'ignored-directory' });
        else walk(abs, rel);
      } else if (entry.isFile()) {
        const result = readCandidate(abs, entry, maxFileBytes);
        if (typeof result === 'string') files.push({ path: rel, text: result });
        else excluded.push({ path: rel, reason: result.reason });
      }
    }
  };
  walk(root, '');
  return { files, excluded, characters: files.reduce((n, f) => n + f.text.length, 0) };
}

/** The file's text, or why it is left out. Secret names are refused before the file is read. */
function readCandidate(abs: string, entry: Dirent, maxFileBytes: number): string | { reason: ExclusionReason } {
  if (isSecretFileName(entry.name)) return { reason: 'secret' };
  let bytes: Buffer;
  try {
    if (lstatSync(abs).size > maxFileBytes) return { reason: 'too-large' };
    bytes = readFileSync(abs);
  } catch {
    return { reason: 'unreadable' };
  }
  const text = decodeText(bytes);
  if (text === null) return { reason: 'binary' };
  if (findSecret(text) !== null) return { reason: 'secret' };
  return text;
}

// Secret and binary detection live in core (shared with the extension's workspace corpus).
export { containsPrivateKey, decodeText, findSecret, isSecretFileName } from '../core/corpus/filters';

/** Code-unit order, so the walk is the same on every platform and locale. */
function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Counts of excluded paths by reason, e.g. { binary: 2, secret: 1 }. */
export function countExclusions(excluded: readonly ExcludedPath[]): Partial<Record<ExclusionReason, number>> {
  const counts: Partial<Record<ExclusionReason, number>> = {};
  for (const e of excluded) counts[e.reason] = (counts[e.reason] ?? 0) + 1;
  return counts;
}

export interface FileSplit {
  readonly train: CorpusFile[];
  readonly validation: CorpusFile[];
  /** 'file': whole files held out; 'position': a single file cut in two. */
  readonly splitBy: 'file' | 'position';
}

/**
 * Holds out about `validationFraction` of the text for validation, by whole file (see
 * core/training/tokenStream.ts `splitCorpus`, here applied to characters so that the
 * tokenizer can then be built from the training side only). A lone file is cut in two.
 */
export function splitFiles(files: readonly CorpusFile[], options: { seed?: number; validationFraction?: number } = {}): FileSplit {
  const docs = files.map((f) => ({ name: f.path, tokens: codeUnits(f.text) }));
  const split = splitCorpus(docs, { seed: options.seed ?? 0, validationFraction: options.validationFraction ?? 0.1 });
  if (split.splitBy === 'position') {
    const file = files.find((f) => f.path === split.train[0].name)!;
    const cut = split.train[0].tokens.length;
    return {
      train: [{ path: file.path, text: file.text.slice(0, cut) }],
      validation: [{ path: file.path, text: file.text.slice(cut) }],
      splitBy: 'position',
    };
  }
  const byPath = new Map(files.map((f) => [f.path, f]));
  const back = (docs: readonly { name?: string }[]) => docs.map((d) => byPath.get(d.name!)!);
  return { train: back(split.train), validation: back(split.validation), splitBy: 'file' };
}

function codeUnits(text: string): Uint16Array {
  const units = new Uint16Array(text.length);
  for (let i = 0; i < text.length; i++) units[i] = text.charCodeAt(i);
  return units;
}
