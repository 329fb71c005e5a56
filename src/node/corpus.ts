// The CLI's corpus: a folder walked on disk, every decision taken by the shared corpus policy
// (core/corpus/filters.ts: .seqlab, secrets by name and folder, .gitignore, size, binary,
// secrets in the text), plus what a bare folder has no settings for: dependency, version-control
// and build folders are not entered. Folders that are left out are not walked.
import { readdirSync, type Dirent } from 'node:fs';
import * as path from 'node:path';
import {
  compareCodeUnits,
  excludeByPath,
  finishCorpus,
  judgeFile,
  type Corpus,
  type CorpusFile,
  type ExcludedFile,
} from '../core/corpus/filters';
import { GitignoreMatcher } from '../core/corpus/gitignore';
import { readBounded } from './boundedRead';

/** Directories never entered: dependencies, version control and build output. */
export const IGNORED_DIRECTORIES: readonly string[] = ['node_modules', '.git', 'dist', 'out'];
export const DEFAULT_MAX_FILE_BYTES = 1024 * 1024;
/** A .gitignore larger than this is not read (git's own files are a few KB). */
const MAX_GITIGNORE_BYTES = 1024 * 1024;

export interface CorpusOptions {
  /** Files larger than this are left out (default 1 MiB). */
  readonly maxFileBytes?: number;
  /** Most characters in all; over it, an even sample of the files (default: no cap). */
  readonly maxTotalChars?: number;
}

/** Every text file under `root` that is safe and sensible to train on, and what was left out. */
export function readCorpus(root: string, options: CorpusOptions = {}): Corpus {
  const maxFileBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  const files: CorpusFile[] = [];
  const excluded: ExcludedFile[] = [];
  const gitignore = new GitignoreMatcher();

  const walk = (dir: string, relative: string): void => {
    let entries: Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => compareCodeUnits(a.name, b.name));
    } catch {
      excluded.push({ path: `${relative}/`, reason: 'unreadable' });
      return;
    }
    // This folder's .gitignore applies to its entries (and below) before any is looked at.
    if (entries.some((e) => e.name === '.gitignore' && e.isFile())) {
      const read = readBounded(path.join(dir, '.gitignore'), MAX_GITIGNORE_BYTES);
      if (read.ok) gitignore.add(relative, new TextDecoder().decode(read.bytes));
    }
    for (const entry of entries) {
      const rel = relative ? `${relative}/${entry.name}` : entry.name;
      if (entry.isSymbolicLink()) {
        excluded.push({ path: rel, reason: 'symlink' });
      } else if (entry.isDirectory()) {
        const why = IGNORED_DIRECTORIES.includes(entry.name) ? { reason: 'ignored-directory' as const } : excludeByPath(rel, true, gitignore);
        if (why) excluded.push({ path: `${rel}/`, ...why });
        else walk(path.join(dir, entry.name), rel);
      } else if (entry.isFile()) {
        const byPath = excludeByPath(rel, false, gitignore);
        if (byPath) {
          excluded.push({ path: rel, ...byPath });
          continue;
        }
        const read = readBounded(path.join(dir, entry.name), maxFileBytes);
        if (!read.ok) {
          excluded.push({ path: rel, reason: read.problem === 'too-large' ? 'too-large' : 'unreadable' });
          continue;
        }
        const judged = judgeFile(read.bytes, maxFileBytes);
        if ('text' in judged) files.push({ path: rel, text: judged.text });
        else excluded.push({ path: rel, ...judged });
      }
    }
  };
  walk(root, '');
  return finishCorpus(files, excluded, options.maxTotalChars);
}
