// The training corpus of a workspace: every workspace folder searched with `findFiles` under
// seqlab.include, minus seqlab.exclude and files.exclude (patterns the search never enters),
// minus what .gitignore files ignore, secrets (by name before reading, by content after), binary
// files and files over the size cap; then, when the total is over its cap, an even sample of
// the files. Unsaved editor contents win over what is on disk. Everything left out is counted,
// with a few example paths per reason, for the summary shown before training.
import * as vscode from 'vscode';
import { decodeText, findSecret, isSecretPath, sampleEvenly, type ExclusionReason } from '../../core/corpus/filters';
import { GitignoreMatcher, parseGitignore, type IgnoreFile } from '../../core/corpus/gitignore';
import { languageShares } from '../../core/corpus/languages';
import type { CorpusDescription } from '../../core/corpus/summary';
import { readConfig } from '../config';

/** findFiles stops here; a workspace with more candidate files is sampled from these. */
const MAX_CANDIDATES = 200_000;
const EXAMPLES_PER_REASON = 5;
/** Never trained on, whatever the settings: the workspace's own models and their cards. */
const ALWAYS_EXCLUDED: readonly string[] = ['**/.seqlab/**'];

export interface CorpusFile {
  /** Workspace-relative, '/'-separated; prefixed with the folder's name in a multi-root workspace. */
  readonly path: string;
  readonly uri: vscode.Uri;
  readonly text: string;
  /** The text came from an editor with unsaved changes. */
  readonly unsaved: boolean;
}

export interface ExcludedFile {
  readonly path: string;
  readonly reason: ExclusionReason;
  /** For secrets found by content: which format. */
  readonly detail?: string;
}

export interface WorkspaceCorpus {
  /** In path order. */
  readonly files: CorpusFile[];
  /** In path order. */
  readonly excluded: ExcludedFile[];
  readonly description: CorpusDescription;
}

export interface FolderLike {
  readonly uri: vscode.Uri;
  readonly name: string;
}

export interface CollectOptions {
  /** Default: the workspace's folders. */
  readonly folders?: readonly FolderLike[];
  /** Default: seqlab.include / seqlab.exclude of each folder. */
  readonly include?: readonly string[];
  readonly exclude?: readonly string[];
  /** Default: seqlab.training.maxFileKB. */
  readonly maxFileBytes?: number;
  /** Default: seqlab.training.maxCorpusMB (in characters). */
  readonly maxTotalChars?: number;
  readonly token?: vscode.CancellationToken;
  readonly onProgress?: (message: string) => void;
}

export class CorpusCancelled extends Error {
  constructor() {
    super('reading the workspace was cancelled');
    this.name = 'CorpusCancelled';
  }
}

/** `{a,b}` for several globs, the glob itself for one. */
function braces(globs: readonly string[]): string {
  const unique = [...new Set(globs.filter((g) => g.trim() !== ''))];
  return unique.length === 1 ? unique[0] : `{${unique.join(',')}}`;
}

/** files.exclude's patterns that are on (a `when` clause counts as off: it depends on siblings). */
function filesExclude(scope: vscode.Uri): string[] {
  const value = vscode.workspace.getConfiguration('files', scope).get<Record<string, unknown>>('exclude', {});
  return Object.entries(value)
    .filter(([, on]) => on === true)
    .map(([glob]) => glob);
}

/** A folder glob also excludes what is inside it. */
function withContents(globs: readonly string[]): string[] {
  return globs.flatMap((g) => (g.endsWith('/**') ? [g] : [g, `${g}/**`]));
}

function relativePath(folder: FolderLike, uri: vscode.Uri): string {
  const base = folder.uri.path.endsWith('/') ? folder.uri.path : `${folder.uri.path}/`;
  return uri.path.startsWith(base) ? uri.path.slice(base.length) : vscode.workspace.asRelativePath(uri, false);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

async function readGitignores(folder: FolderLike, exclude: string | null, token?: vscode.CancellationToken): Promise<GitignoreMatcher> {
  const found = await vscode.workspace.findFiles(new vscode.RelativePattern(folder.uri, '**/.gitignore'), exclude, 10_000, token);
  const files: IgnoreFile[] = [];
  for (const uri of found) {
    try {
      const text = decodeText(await vscode.workspace.fs.readFile(uri));
      if (text === null) continue;
      const rel = relativePath(folder, uri);
      files.push(parseGitignore(rel.includes('/') ? rel.slice(0, rel.lastIndexOf('/')) : '', text));
    } catch {
      // An unreadable .gitignore ignores nothing.
    }
  }
  return new GitignoreMatcher(files);
}

interface Candidate {
  readonly folder: FolderLike;
  readonly relative: string;
  readonly path: string;
  readonly uri: vscode.Uri;
}

type ReadResult = { text: string; unsaved: boolean } | { reason: ExclusionReason; detail?: string };

async function readCandidate(c: Candidate, maxFileBytes: number, unsaved: ReadonlyMap<string, vscode.TextDocument>): Promise<ReadResult> {
  // Secret names are refused before anything is read.
  if (isSecretPath(c.relative)) return { reason: 'secret', detail: 'secret file name' };
  const editor = unsaved.get(c.uri.toString());
  let text: string;
  if (editor) {
    text = editor.getText();
    if (text.length > maxFileBytes) return { reason: 'too-large' };
  } else {
    let bytes: Uint8Array;
    try {
      const stat = await vscode.workspace.fs.stat(c.uri);
      if (stat.size > maxFileBytes) return { reason: 'too-large' };
      bytes = await vscode.workspace.fs.readFile(c.uri);
    } catch {
      return { reason: 'unreadable' };
    }
    if (bytes.length > maxFileBytes) return { reason: 'too-large' };
    const decoded = decodeText(bytes);
    if (decoded === null) return { reason: 'binary' };
    text = decoded;
  }
  const secret = findSecret(text);
  if (secret !== null) return { reason: 'secret', detail: secret };
  return { text, unsaved: editor !== undefined };
}

/** Runs `fn` over `items` with at most `limit` in flight, keeping the order of results. */
async function mapPool<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

export async function collectWorkspaceCorpus(options: CollectOptions = {}): Promise<WorkspaceCorpus> {
  const folders = options.folders ?? vscode.workspace.workspaceFolders ?? [];
  const multiRoot = folders.length > 1;
  const token = options.token;
  const cancelled = () => token?.isCancellationRequested === true;
  const training = readConfig().training;
  const maxFileBytes = options.maxFileBytes ?? Math.round(training.maxFileKB * 1024);
  const maxTotalChars = options.maxTotalChars ?? Math.round(training.maxCorpusMB * 1024 * 1024);

  const excluded: ExcludedFile[] = [];
  const candidates: Candidate[] = [];
  const includeAll: string[] = [];
  const excludeAll: string[] = [];
  for (const folder of folders) {
    const config = readConfig(folder.uri);
    const include = [...(options.include ?? config.include)];
    const exclude = [...(options.exclude ?? config.exclude), ...filesExclude(folder.uri), ...ALWAYS_EXCLUDED];
    includeAll.push(...include);
    excludeAll.push(...exclude);
    const excludeGlob = exclude.length ? braces(withContents(exclude)) : null;
    options.onProgress?.(`Searching ${folder.name}…`);
    const uris = await vscode.workspace.findFiles(new vscode.RelativePattern(folder.uri, braces(include)), excludeGlob, MAX_CANDIDATES, token);
    if (cancelled()) throw new CorpusCancelled();
    const gitignore = await readGitignores(folder, excludeGlob, token);
    for (const uri of uris) {
      const relative = relativePath(folder, uri);
      const path = multiRoot ? `${folder.name}/${relative}` : relative;
      if (!gitignore.isEmpty && gitignore.isIgnored(relative)) excluded.push({ path, reason: 'gitignored' });
      else candidates.push({ folder, relative, path, uri });
    }
  }
  candidates.sort((a, b) => compare(a.path, b.path));

  const unsaved = new Map<string, vscode.TextDocument>();
  for (const doc of vscode.workspace.textDocuments) if (doc.isDirty && !doc.isUntitled) unsaved.set(doc.uri.toString(), doc);

  let done = 0;
  const read = await mapPool(candidates, 16, async (c) => {
    if (cancelled()) throw new CorpusCancelled();
    const result = await readCandidate(c, maxFileBytes, unsaved);
    if (++done % 200 === 0) options.onProgress?.(`Reading files: ${done} of ${candidates.length}`);
    return result;
  });
  if (cancelled()) throw new CorpusCancelled();

  const kept: CorpusFile[] = [];
  candidates.forEach((c, i) => {
    const r = read[i];
    if ('reason' in r) excluded.push({ path: c.path, reason: r.reason, ...(r.detail ? { detail: r.detail } : {}) });
    else kept.push({ path: c.path, uri: c.uri, text: r.text, unsaved: r.unsaved });
  });

  const keep = sampleEvenly(
    kept.map((f) => f.text.length),
    maxTotalChars,
  );
  const files: CorpusFile[] = [];
  kept.forEach((f, i) => (keep[i] ? files.push(f) : excluded.push({ path: f.path, reason: 'sampled-out' })));
  excluded.sort((a, b) => compare(a.path, b.path));
  return { files, excluded, description: describe(folders, files, excluded, includeAll, excludeAll) };
}

function describe(
  folders: readonly FolderLike[],
  files: readonly CorpusFile[],
  excluded: readonly ExcludedFile[],
  include: readonly string[],
  exclude: readonly string[],
): CorpusDescription {
  const counts: Partial<Record<ExclusionReason, number>> = {};
  const examples: Partial<Record<ExclusionReason, string[]>> = {};
  for (const e of excluded) {
    counts[e.reason] = (counts[e.reason] ?? 0) + 1;
    const list = (examples[e.reason] ??= []);
    if (list.length < EXAMPLES_PER_REASON) list.push(e.path);
  }
  const characters = files.reduce((s, f) => s + f.text.length, 0);
  return {
    folders: folders.map((f) => f.name),
    files: files.length,
    characters,
    languages: languageShares(files.map((f) => ({ path: f.path, characters: f.text.length }))),
    excluded: counts,
    excludedExamples: examples,
    include: [...new Set(include)],
    exclude: [...new Set(exclude)],
  };
}
