// The corpus of a workspace, for training from the palette and for the workspace n-gram: every
// workspace folder searched with `findFiles` under seqlab.include, minus seqlab.exclude and
// files.exclude (patterns the search never enters); every other decision is the shared corpus
// policy's (core/corpus/filters.ts, the same the CLI applies): the .seqlab folder, secrets by
// name and folder before reading, .gitignore, then size, binary and secrets in the text after;
// when the total is over its cap, an even sample of the files. Unsaved editor contents win over
// what is on disk. Everything left out is counted, with a few example paths per reason, for the
// summary shown before training.
import * as vscode from 'vscode';
import { decodeText, excludeByPath, finishCorpus, judgeFile, type ExcludedFile, type ExclusionReason } from '../../core/corpus/filters';
import { GitignoreMatcher } from '../../core/corpus/gitignore';
import { languageShares } from '../../core/corpus/languages';
import type { CorpusDescription } from '../../core/corpus/summary';
import { readConfig } from '../config';

/** findFiles stops here; a workspace with more candidate files is sampled from these. */
const MAX_CANDIDATES = 200_000;
const EXAMPLES_PER_REASON = 5;
/** Not searched, whatever the settings (excludeByPath refuses it too): the workspace's own models and their cards. */
const ALWAYS_EXCLUDED: readonly string[] = ['**/.seqlab/**'];
/** A .gitignore larger than this is not read. */
const MAX_GITIGNORE_BYTES = 1024 * 1024;

export interface CorpusFile {
  /** Workspace-relative, '/'-separated; prefixed with the folder's name in a multi-root workspace. */
  readonly path: string;
  readonly uri: vscode.Uri;
  readonly text: string;
  /** The text came from an editor with unsaved changes. */
  readonly unsaved: boolean;
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
  const matcher = new GitignoreMatcher();
  for (const uri of found) {
    try {
      if ((await vscode.workspace.fs.stat(uri)).size > MAX_GITIGNORE_BYTES) continue;
      const text = decodeText(await vscode.workspace.fs.readFile(uri));
      if (text === null) continue;
      const rel = relativePath(folder, uri);
      matcher.add(rel.includes('/') ? rel.slice(0, rel.lastIndexOf('/')) : '', text);
    } catch {
      // An unreadable .gitignore ignores nothing.
    }
  }
  return matcher;
}

/** A workspace file that passed the path policy. */
export interface WorkspaceCandidate {
  /** Relative to its workspace folder: what the policy sees. */
  readonly relative: string;
  /** Shown and stored: prefixed with the folder's name in a multi-root workspace. */
  readonly path: string;
  readonly uri: vscode.Uri;
}

type ReadResult = { text: string; unsaved: boolean } | { reason: ExclusionReason; detail?: string };

async function readCandidate(c: WorkspaceCandidate, maxFileBytes: number, unsaved: ReadonlyMap<string, vscode.TextDocument>): Promise<ReadResult> {
  const editor = unsaved.get(c.uri.toString());
  let content: Uint8Array | string;
  if (editor) {
    content = editor.getText();
  } else {
    try {
      const stat = await vscode.workspace.fs.stat(c.uri);
      if (stat.size > maxFileBytes) return { reason: 'too-large' };
      if ((stat.type & vscode.FileType.File) === 0) return { reason: 'unreadable' };
      content = await vscode.workspace.fs.readFile(c.uri);
    } catch {
      return { reason: 'unreadable' };
    }
  }
  const judged = judgeFile(content, maxFileBytes);
  return 'text' in judged ? { text: judged.text, unsaved: editor !== undefined } : judged;
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

export interface EnumerateOptions {
  readonly folders?: readonly FolderLike[];
  readonly include?: readonly string[];
  readonly exclude?: readonly string[];
  /** Most files findFiles returns per folder. */
  readonly maxCandidates?: number;
  readonly token?: vscode.CancellationToken;
  readonly onProgress?: (message: string) => void;
}

export interface WorkspaceCandidates {
  /** In path order. */
  readonly candidates: WorkspaceCandidate[];
  /** Left out by path: secrets by name or folder, .gitignore, the .seqlab folder. */
  readonly excluded: ExcludedFile[];
  readonly include: readonly string[];
  readonly exclude: readonly string[];
}

/**
 * The workspace's files under seqlab.include minus seqlab.exclude and files.exclude, each put to
 * the path policy (nothing is read but .gitignore files). Training and the workspace n-gram both
 * start here.
 */
export async function enumerateWorkspace(options: EnumerateOptions = {}): Promise<WorkspaceCandidates> {
  const folders = options.folders ?? vscode.workspace.workspaceFolders ?? [];
  const multiRoot = folders.length > 1;
  const excluded: ExcludedFile[] = [];
  const candidates: WorkspaceCandidate[] = [];
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
    const pattern = new vscode.RelativePattern(folder.uri, braces(include));
    const uris = await vscode.workspace.findFiles(pattern, excludeGlob, options.maxCandidates ?? MAX_CANDIDATES, options.token);
    if (options.token?.isCancellationRequested) throw new CorpusCancelled();
    const gitignore = await readGitignores(folder, excludeGlob, options.token);
    for (const uri of uris) {
      const relative = relativePath(folder, uri);
      const path = multiRoot ? `${folder.name}/${relative}` : relative;
      const why = excludeByPath(relative, false, gitignore);
      if (why) excluded.push({ path, ...why });
      else candidates.push({ relative, path, uri });
    }
  }
  candidates.sort((a, b) => compare(a.path, b.path));
  return { candidates, excluded, include: [...new Set(includeAll)], exclude: [...new Set(excludeAll)] };
}

export async function collectWorkspaceCorpus(options: CollectOptions = {}): Promise<WorkspaceCorpus> {
  const folders = options.folders ?? vscode.workspace.workspaceFolders ?? [];
  const token = options.token;
  const cancelled = () => token?.isCancellationRequested === true;
  const training = readConfig().training;
  const maxFileBytes = options.maxFileBytes ?? Math.round(training.maxFileKB * 1024);
  const maxTotalChars = options.maxTotalChars ?? Math.round(training.maxCorpusMB * 1024 * 1024);

  const listed = await enumerateWorkspace({ ...options, folders });
  const { candidates } = listed;
  const excluded = [...listed.excluded];

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

  const { files, excluded: all } = finishCorpus(kept, excluded, maxTotalChars);
  return { files, excluded: all, description: describe(folders, files, all, listed.include, listed.exclude) };
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
