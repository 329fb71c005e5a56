// The model registry: the trained models of this workspace (in VS Code's workspace storage, or
// in `.seqlab/models/` when seqlab.modelLocation says so) plus the models shipped in the
// extension's models/ folder, and which one is active. Each model is one `.seqlab` file with a
// small JSON card beside it (name and summary), so listing never parses weights.
import * as vscode from 'vscode';
import { mkdir, readdir, readFile, rm, stat } from 'node:fs/promises';
import * as path from 'node:path';
import type { LanguageShare } from '../../core/corpus/languages';
import { describeLanguages } from '../../core/corpus/summary';
import { describeModelFile, type ModelFileSummary } from '../../core/modelFile/container';
import { BASE_MODEL_FILE } from '../../core/training/baseModel';
import { validationCompletionOf, type ValidationCompletion } from '../../core/completion/autoServing';
import { isAtomicWriteLeftover, writeFileAtomic } from '../../node/atomicWrite';

/** Model files end with this (kept here so listing models never loads tfjs). */
export const MODEL_FILE_EXTENSION = '.seqlab';
import { readConfig } from '../config';

export interface ModelCard {
  readonly name: string;
  readonly kind: 'neural' | 'ngram';
  readonly arch: string;
  readonly tokenizer?: string;
  readonly parameters: number;
  readonly createdAt: string;
  readonly backend?: string;
  readonly steps?: number;
  readonly validationBitsPerChar?: number;
  readonly corpus?: {
    readonly files?: number;
    readonly characters?: number;
    /** "JavaScript 81%, TypeScript 12%, …" when the trainer recorded languages. */
    readonly languages?: string;
    /** Files left out of the corpus, per reason (secret, binary, …), when recorded. */
    readonly excluded?: Readonly<Record<string, number>>;
  };
  readonly bytes: number;
  /** Keystroke savings on validation, the model against a training-only n-gram (trained since 0.1). */
  readonly validationCompletion?: ValidationCompletion;
}

export interface ModelEntry {
  readonly id: string;
  readonly file: string;
  readonly builtIn: boolean;
  readonly card: ModelCard;
}

const ACTIVE_KEY = 'seqlab.activeModelId';

export class ModelRegistry implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  private readonly activeChanged = new vscode.EventEmitter<ModelEntry | undefined>();
  /** The list of models changed. */
  readonly onDidChange = this.changed.event;
  /** Another model became active (or none). */
  readonly onDidChangeActive = this.activeChanged.event;
  private readonly disposables: vscode.Disposable[] = [this.changed, this.activeChanged];
  private watcher: vscode.FileSystemWatcher | undefined;

  constructor(private readonly context: vscode.ExtensionContext) {
    this.watchFolder();
    this.disposables.push(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('seqlab.modelLocation')) {
          this.watchFolder();
          this.changed.fire();
          void this.getActive().then((a) => this.activeChanged.fire(a));
        }
      }),
    );
  }

  /** Where this workspace's models are written. */
  folder(): string {
    const folders = vscode.workspace.workspaceFolders;
    if (readConfig().modelLocation === 'workspaceFolder' && folders?.length) {
      return path.join(folders[0].uri.fsPath, '.seqlab', 'models');
    }
    return path.join((this.context.storageUri ?? this.context.globalStorageUri).fsPath, 'models');
  }

  async list(): Promise<ModelEntry[]> {
    const own = await this.entriesIn(this.folder(), false);
    const shipped = await this.entriesIn(path.join(this.context.extensionUri.fsPath, 'models'), true);
    own.sort((a, b) => b.card.createdAt.localeCompare(a.card.createdAt));
    // The base model is where training starts, not a finished model: it is listed last.
    const isBase = (e: ModelEntry) => path.basename(e.file) === BASE_MODEL_FILE;
    shipped.sort((a, b) => Number(isBase(a)) - Number(isBase(b)) || a.id.localeCompare(b.id));
    return [...own, ...shipped];
  }

  async get(id: string): Promise<ModelEntry | undefined> {
    return (await this.list()).find((e) => e.id === id);
  }

  /** The chosen model, else the newest of this workspace, else a shipped one, else none. */
  async getActive(): Promise<ModelEntry | undefined> {
    const all = await this.list();
    const chosen = this.context.workspaceState.get<string>(ACTIVE_KEY);
    return all.find((e) => e.id === chosen) ?? all[0];
  }

  /** Whether `id` is active because someone chose it (Select Active Model, import), not by default. */
  isChosen(id: string): boolean {
    return this.context.workspaceState.get<string>(ACTIVE_KEY) === id;
  }

  async setActive(id: string | undefined): Promise<void> {
    await this.context.workspaceState.update(ACTIVE_KEY, id);
    this.activeChanged.fire(await this.getActive());
  }

  /** Stores a model file (validated first) with its card; returns the new entry. */
  async add(bytes: Uint8Array, name?: string): Promise<ModelEntry> {
    const card = await cardOf(bytes, name);
    const folder = this.folder();
    await mkdir(folder, { recursive: true });
    const id = uniqueId(card);
    const file = path.join(folder, `${id}${MODEL_FILE_EXTENSION}`);
    await writeFileAtomic(file, bytes);
    await writeFileAtomic(cardPath(file), JSON.stringify(card, null, 2));
    this.changed.fire();
    return { id, file, builtIn: false, card };
  }

  /** Replaces a model's file in place (a newer checkpoint of the same training run). */
  async update(id: string, bytes: Uint8Array): Promise<ModelEntry> {
    const entry = await this.mustGetOwn(id);
    const card = await cardOf(bytes, entry.card.name);
    await writeFileAtomic(entry.file, bytes);
    await writeFileAtomic(cardPath(entry.file), JSON.stringify(card, null, 2));
    this.changed.fire();
    if ((await this.getActive())?.id === id) this.activeChanged.fire({ ...entry, card });
    return { ...entry, card };
  }

  async rename(id: string, name: string): Promise<void> {
    const entry = await this.mustGetOwn(id);
    await writeFileAtomic(cardPath(entry.file), JSON.stringify({ ...entry.card, name }, null, 2));
    this.changed.fire();
  }

  async delete(id: string): Promise<void> {
    const entry = await this.mustGetOwn(id);
    const wasActive = (await this.getActive())?.id === id;
    await rm(entry.file, { force: true });
    await rm(cardPath(entry.file), { force: true });
    this.changed.fire();
    if (wasActive) this.activeChanged.fire(await this.getActive());
  }

  async read(id: string): Promise<Uint8Array> {
    const entry = await this.get(id);
    if (!entry) throw new Error(`no model with id ${id}`);
    return readFile(entry.file);
  }

  dispose(): void {
    this.watcher?.dispose();
    for (const d of this.disposables.splice(0)) d.dispose();
  }

  private async mustGetOwn(id: string): Promise<ModelEntry> {
    const entry = await this.get(id);
    if (!entry) throw new Error(`no model with id ${id}`);
    if (entry.builtIn) throw new Error(`${entry.card.name} ships with the extension and cannot be changed`);
    return entry;
  }

  /** Models copied into the folder by hand or by the CLI show up without a reload. */
  private watchFolder(): void {
    this.watcher?.dispose();
    const pattern = new vscode.RelativePattern(vscode.Uri.file(this.folder()), `*${MODEL_FILE_EXTENSION}`);
    this.watcher = vscode.workspace.createFileSystemWatcher(pattern);
    const fire = () => this.changed.fire();
    this.watcher.onDidCreate(fire);
    this.watcher.onDidDelete(fire);
  }

  private async entriesIn(folder: string, builtIn: boolean): Promise<ModelEntry[]> {
    let names: string[];
    try {
      names = await readdir(folder);
    } catch {
      return [];
    }
    const entries: ModelEntry[] = [];
    for (const name of names) {
      if (!name.endsWith(MODEL_FILE_EXTENSION) || isAtomicWriteLeftover(name)) continue;
      const file = path.join(folder, name);
      const card = await readCard(file);
      if (card) entries.push({ id: `${builtIn ? 'builtin:' : ''}${name.slice(0, -MODEL_FILE_EXTENSION.length)}`, file, builtIn, card });
    }
    return entries;
  }
}

function cardPath(modelFile: string): string {
  return `${modelFile.slice(0, -MODEL_FILE_EXTENSION.length)}.card.json`;
}

/** The card beside a model file; rebuilt from the file when missing; undefined for a bad file. */
async function readCard(file: string): Promise<ModelCard | undefined> {
  try {
    return JSON.parse(await readFile(cardPath(file), 'utf8')) as ModelCard;
  } catch {
    try {
      const bytes = await readFile(file);
      return await cardOf(bytes, path.basename(file, MODEL_FILE_EXTENSION));
    } catch {
      return undefined;
    }
  }
}

/** Summarises a model file without building the model; throws ModelFileError on a bad file. */
export async function cardOf(bytes: Uint8Array, name?: string): Promise<ModelCard> {
  const summary: ModelFileSummary = describeModelFile(bytes);
  const meta = summary.metadata as Record<string, unknown> & typeof summary.metadata;
  const training = meta.training as { steps?: number; lastEval?: { validationBitsPerChar?: number } | null } | undefined;
  const ngram = meta.ngram as { validationBitsPerChar?: number } | undefined;
  const arch = summary.config?.arch ?? (summary.kind === 'ngram' ? 'ngram' : 'unknown');
  return {
    name: name ?? `${arch} ${new Date(meta.createdAt).toLocaleString()}`,
    kind: summary.kind,
    arch,
    tokenizer: typeof meta.tokenizer === 'string' ? meta.tokenizer : undefined,
    parameters: summary.parameters,
    createdAt: meta.createdAt,
    backend: meta.backend,
    steps: training?.steps,
    validationBitsPerChar: training?.lastEval?.validationBitsPerChar ?? ngram?.validationBitsPerChar,
    corpus: meta.corpus ? corpusCard(meta.corpus) : undefined,
    bytes: summary.bytes,
    validationCompletion: validationCompletionOf(meta),
  };
}

/** The corpus part of a card; languages and exclusions only when well-formed. */
function corpusCard(corpus: NonNullable<ModelFileSummary['metadata']['corpus']>): ModelCard['corpus'] {
  const extra = corpus as { languages?: unknown; excluded?: unknown };
  const languages = Array.isArray(extra.languages)
    ? extra.languages.filter((l): l is LanguageShare => typeof l?.language === 'string' && Number.isFinite(l?.characters))
    : [];
  const excluded =
    typeof extra.excluded === 'object' && extra.excluded !== null && Object.values(extra.excluded).every((n) => Number.isFinite(n))
      ? (extra.excluded as Record<string, number>)
      : undefined;
  const total = corpus.characters ?? languages.reduce((n, l) => n + l.characters, 0);
  return {
    files: corpus.files,
    characters: corpus.characters,
    ...(languages.length ? { languages: describeLanguages(languages, total) } : {}),
    ...(excluded ? { excluded } : {}),
  };
}

function uniqueId(card: ModelCard): string {
  const stamp = card.createdAt.replace(/[-:]/g, '').replace(/\..*$/, '').replace('T', '-');
  return `${card.arch}-${stamp}-${Math.random().toString(36).slice(2, 6)}`;
}
