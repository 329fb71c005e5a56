// "Sequence Lab: Train Model on Workspace" and its companions (Stop Training, Resume Training
// from Checkpoint, Show Training). The Train command asks four questions (or none: "train with
// defaults", or arguments from code), reads the workspace (workspaceCorpus.ts), shows what it
// will train on and what it left out and why, tokenizes in chunks so the extension host keeps
// serving, and hands the run to a TrainingSession.
import * as vscode from 'vscode';
import { summarizeCorpus, type CorpusDescription } from '../../core/corpus/summary';
import { splitTexts } from '../../core/corpus/splitTexts';
import { buildTokenizerInChunks, encodeInChunks } from '../../core/corpus/tokenizeInChunks';
import type { Tokenizer } from '../../core/tokenizers/tokenizer';
import { BASE_MODEL_FILE, baseModelRecord, type BaseModelRecord } from '../../core/training/baseModel';
import type { TrainingData, TrainingSpec } from '../../protocol';
import { readConfig } from '../config';
import { describeModelFile, readModelFile } from '../../core/modelFile/container';
import type { ModelEntry, ModelRegistry } from '../models/modelRegistry';
import {
  ARCH_OPTIONS,
  defaultModelName,
  describeChoices,
  minuteOptions,
  parseTrainArgs,
  pickItems,
  PRESET_OPTIONS,
  startsFromBase,
  TOKENIZER_OPTIONS,
  TrainArgsError,
  trainingSpec,
  type Option,
  type TrainArgs,
  type TrainChoices,
} from './trainChoices';
import { TrainerPanel } from './trainerPanel';
import { TrainingSession, type TrainingOutcome, type TrainingPlan } from './trainingSession';
import { collectWorkspaceCorpus, CorpusCancelled, type WorkspaceCorpus } from './workspaceCorpus';

export const TRAINING_COMMANDS = {
  train: 'seqlab.train',
  stop: 'seqlab.stopTraining',
  resume: 'seqlab.resumeTraining',
  show: 'seqlab.showTraining',
} as const;

const yieldNow = () => new Promise<void>((resolve) => setImmediate(resolve));

export function registerTrainingCommands(context: vscode.ExtensionContext, registry: ModelRegistry): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand(TRAINING_COMMANDS.train, (args?: unknown) => train(context, registry, args)),
    vscode.commands.registerCommand(TRAINING_COMMANDS.stop, async () => {
      const session = TrainingSession.current;
      if (!session) {
        void vscode.window.showInformationMessage('Sequence Lab: no training is running.');
        return undefined;
      }
      return session.stop();
    }),
    vscode.commands.registerCommand(TRAINING_COMMANDS.resume, (id?: unknown, args?: unknown) => resumeTraining(context, registry, id, args)),
    vscode.commands.registerCommand(TRAINING_COMMANDS.show, () => {
      if (TrainingSession.current) TrainingSession.current.reveal();
      else if (TrainerPanel.instance) TrainerPanel.instance.reveal();
      else void vscode.window.showInformationMessage('Sequence Lab: no training is running.');
    }),
    { dispose: () => TrainingSession.current?.dispose() },
  ];
}

/** Refuses in an untrusted workspace (training reads every file); true when trusted. */
async function requireTrust(): Promise<boolean> {
  if (vscode.workspace.isTrusted) return true;
  const manage = 'Manage Workspace Trust';
  const answer = await vscode.window.showWarningMessage(
    'Sequence Lab: training reads the files of this workspace, so it needs a trusted workspace.',
    manage,
  );
  if (answer === manage) void vscode.commands.executeCommand('workbench.trust.manage');
  return false;
}

/** When a run is in progress, says so (offering to show or stop it) and returns true. */
function alreadyTraining(): boolean {
  const session = TrainingSession.current;
  if (!session) return false;
  void vscode.window.showInformationMessage('Sequence Lab: a training run is already in progress.', 'Show', 'Stop').then((a) => {
    if (a === 'Show') session.reveal();
    if (a === 'Stop') void session.stop();
  });
  return true;
}

function defaultsFromSettings(): TrainChoices {
  const t = readConfig().training;
  return { arch: t.architecture, tokenizer: t.tokenizer, preset: t.preset, minutes: t.minutes };
}

async function pickOne<T>(title: string, options: readonly Option<T>[], defaultValue: T): Promise<T | undefined> {
  const picked = await vscode.window.showQuickPick(pickItems(options, defaultValue), { title, ignoreFocusOut: true });
  return picked?.value;
}

/** The quick picks: one step with the defaults, or four questions. */
async function askChoices(defaults: TrainChoices): Promise<TrainChoices | undefined> {
  const first = await vscode.window.showQuickPick(
    [
      { label: '$(play) Train with defaults', description: describeChoices(defaults, startsFromBase(defaults, readConfig().training.startFrom)), detail: 'From the seqlab.training settings', custom: false },
      { label: '$(settings-gear) Choose architecture, tokenizer, size and time…', custom: true },
    ],
    { title: 'Sequence Lab: Train a model on this workspace', ignoreFocusOut: true },
  );
  if (!first) return undefined;
  if (!first.custom) return defaults;
  const arch = await pickOne('Train (1/4): architecture', ARCH_OPTIONS, defaults.arch);
  if (!arch) return undefined;
  const tokenizer = await pickOne('Train (2/4): tokenizer', TOKENIZER_OPTIONS, defaults.tokenizer);
  if (!tokenizer) return undefined;
  const preset = await pickOne('Train (3/4): model size', PRESET_OPTIONS, defaults.preset);
  if (!preset) return undefined;
  const minutes = await pickOne('Train (4/4): time budget', minuteOptions(defaults.minutes), defaults.minutes);
  if (minutes === undefined) return undefined;
  return { arch, tokenizer, preset, minutes };
}

/** Reads the workspace under a cancellable progress notification; undefined when cancelled. */
async function readWorkspace(args: TrainArgs): Promise<WorkspaceCorpus | undefined> {
  try {
    return await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: 'Sequence Lab: reading the workspace', cancellable: true },
      (progress, token) =>
        collectWorkspaceCorpus({ include: args.include, exclude: args.exclude, token, onProgress: (message) => progress.report({ message }) }),
    );
  } catch (error) {
    if (error instanceof CorpusCancelled) return undefined;
    throw error;
  }
}

function modelLocationText(): string {
  return readConfig().modelLocation === 'workspaceFolder' ? '.seqlab/models/ in the workspace' : "this workspace's private storage";
}

/** The summary before training; true when the user starts. */
async function confirmCorpus(what: string, corpus: CorpusDescription): Promise<boolean> {
  const text = summarizeCorpus(corpus);
  const detail = [
    `Training on ${text.headline}.`,
    '',
    ...(text.excluded.length ? ['Left out:', ...text.excluded.map((l) => `• ${l}`)] : ['Nothing was left out.']),
    text.patterns,
    '',
    `The model is saved to ${modelLocationText()} and becomes the active model.`,
  ].join('\n');
  const start = 'Start Training';
  const answer = await vscode.window.showInformationMessage(`Train ${what}?`, { modal: true, detail }, start);
  return answer === start;
}

/** Splits and tokenizes the corpus in chunks, under a cancellable notification. */
async function tokenize(
  corpus: WorkspaceCorpus,
  seed: number,
  tokenizerFor: (trainTexts: string[], chunks: Parameters<typeof buildTokenizerInChunks>[2]) => Promise<Tokenizer>,
): Promise<{ tokenizer: Tokenizer; data: TrainingData } | undefined> {
  const split = splitTexts(corpus.files, { seed });
  try {
    return await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: 'Sequence Lab: tokenizing', cancellable: true },
      async (progress, token) => {
        let reported = 0;
        const chunks = (share: number, offset: number) => ({
          yieldNow,
          isCancelled: () => token.isCancellationRequested,
          onProgress: (fraction: number) => {
            const percent = Math.round(100 * (offset + share * fraction));
            progress.report({ increment: percent - reported });
            reported = percent;
          },
        });
        const trainTexts = split.train.map((f) => f.text);
        const tokenizer = await tokenizerFor(trainTexts, chunks(0.4, 0));
        const all = [...split.train, ...split.validation];
        const encoded = await encodeInChunks(
          tokenizer,
          all.map((f) => f.text),
          chunks(0.6, 0.4),
        );
        const data: TrainingData = {
          tokens: encoded.tokens,
          lengths: encoded.lengths,
          names: all.map((f) => f.path),
          trainDocuments: split.train.length,
          splitBy: split.splitBy,
        };
        return { tokenizer, data };
      },
    );
  } catch (error) {
    if (error instanceof Error && error.message === 'cancelled') return undefined;
    throw error;
  }
}

function runSession(context: vscode.ExtensionContext, registry: ModelRegistry, plan: TrainingPlan): Promise<TrainingOutcome> {
  const session = new TrainingSession(context, registry, plan);
  return session.start();
}

/** `seqlab.train`: resolves with the outcome once training has ended, or undefined when it never started. */
export async function train(context: vscode.ExtensionContext, registry: ModelRegistry, rawArgs?: unknown): Promise<TrainingOutcome | undefined> {
  if (!(await requireTrust()) || alreadyTraining()) return undefined;
  const defaults = defaultsFromSettings();
  let choices: TrainChoices | undefined;
  let args: TrainArgs = {};
  if (rawArgs !== undefined && rawArgs !== null && !(rawArgs instanceof vscode.Uri)) {
    try {
      ({ choices, args } = parseTrainArgs(rawArgs, defaults));
    } catch (error) {
      if (error instanceof TrainArgsError) {
        void vscode.window.showErrorMessage(`Sequence Lab: seqlab.train: ${error.message}`);
        return undefined;
      }
      throw error;
    }
  } else {
    choices = await askChoices(defaults);
  }
  if (!choices) return undefined;

  const corpus = await readWorkspace(args);
  if (!corpus) return undefined;
  const summary = summarizeCorpus(corpus.description);
  if (corpus.files.reduce((s, f) => s + f.text.length, 0) < 4) {
    void vscode.window.showErrorMessage(
      `Sequence Lab: there is no text to train on in this workspace (${summary.headline}${summary.excluded.length ? `; left out: ${summary.excluded.join('; ')}` : ''}).`,
    );
    return undefined;
  }
  const base = startsFromBase(choices, args.startFrom ?? readConfig().training.startFrom) ? await readBaseModel(context) : undefined;
  const what = describeChoices(choices, base !== undefined);
  if ((args.confirm ?? true) && !(await confirmCorpus(what, corpus.description))) return undefined;

  const seed = args.seed ?? 0;
  const prepared = await tokenize(corpus, seed, (texts, chunks) =>
    base ? Promise.resolve(base.tokenizer) : buildTokenizerInChunks(choices!.tokenizer, texts, chunks),
  );
  if (!prepared) return undefined;
  const name = args.name ?? defaultModelName(choices, vscode.workspace.name);
  const spec = trainingSpec(choices, args, name);
  return runSession(context, registry, {
    spec,
    tokenizer: prepared.tokenizer.toJSON(),
    data: prepared.data,
    corpus: corpus.description,
    resumeFrom: null,
    startFrom: base?.bytes ?? null,
    base: base?.record ?? null,
    modelId: null,
    backend: args.backend,
  });
}

interface BaseModel {
  readonly bytes: Uint8Array;
  readonly tokenizer: Tokenizer;
  readonly record: BaseModelRecord;
}

/** The base model shipped in models/, or undefined (with a warning: the run starts from random weights). */
async function readBaseModel(context: vscode.ExtensionContext): Promise<BaseModel | undefined> {
  const uri = vscode.Uri.joinPath(context.extensionUri, 'models', BASE_MODEL_FILE);
  try {
    const bytes = new Uint8Array(await vscode.workspace.fs.readFile(uri));
    const file = readModelFile(bytes);
    if (file.kind !== 'neural') throw new Error('it is not a neural model');
    return { bytes, tokenizer: file.tokenizer, record: baseModelRecord(BASE_MODEL_FILE, file.metadata) };
  } catch (error) {
    void vscode.window.showWarningMessage(
      `Sequence Lab: the base model could not be read (${(error as Error).message}); training starts from random weights.`,
    );
    return undefined;
  }
}

interface ResumableModel {
  readonly entry: ModelEntry;
  readonly bytes: Uint8Array;
}

/** Own models whose file carries a training checkpoint. */
async function resumableModels(registry: ModelRegistry): Promise<ResumableModel[]> {
  const out: ResumableModel[] = [];
  for (const entry of await registry.list()) {
    if (entry.builtIn || entry.card.kind !== 'neural') continue;
    try {
      const bytes = await registry.read(entry.id);
      if (describeModelFile(bytes).hasCheckpoint) out.push({ entry, bytes });
    } catch {
      // An unreadable file cannot be resumed; the registry reports it elsewhere.
    }
  }
  return out;
}

/** `seqlab.resumeTraining [id] [{minutes, steps, confirm}]`: continues a saved run on the workspace as it is now. */
export async function resumeTraining(
  context: vscode.ExtensionContext,
  registry: ModelRegistry,
  id?: unknown,
  rawArgs?: unknown,
): Promise<TrainingOutcome | undefined> {
  if (!(await requireTrust()) || alreadyTraining()) return undefined;
  const candidates = await resumableModels(registry);
  let chosen: ResumableModel | undefined;
  if (typeof id === 'string') {
    chosen = candidates.find((c) => c.entry.id === id);
    if (!chosen) {
      void vscode.window.showErrorMessage(`Sequence Lab: no model "${id}" with a training checkpoint in this workspace.`);
      return undefined;
    }
  } else {
    if (candidates.length === 0) {
      void vscode.window.showInformationMessage('Sequence Lab: no model of this workspace has a training checkpoint to resume from.');
      return undefined;
    }
    const picked = await vscode.window.showQuickPick(
      candidates.map((c) => ({
        label: c.entry.card.name,
        description: `${c.entry.card.arch} · step ${c.entry.card.steps ?? 0}${c.entry.card.validationBitsPerChar !== undefined ? ` · ${c.entry.card.validationBitsPerChar.toFixed(2)} bits/char` : ''}`,
        detail: `saved ${new Date(c.entry.card.createdAt).toLocaleString()}`,
        c,
      })),
      { title: 'Sequence Lab: resume training from a checkpoint' },
    );
    chosen = picked?.c;
  }
  if (!chosen) return undefined;

  const defaults = defaultsFromSettings();
  let args: TrainArgs = {};
  let minutes: number | undefined = defaults.minutes;
  if (rawArgs !== undefined) {
    try {
      const parsed = parseTrainArgs(rawArgs, defaults);
      args = parsed.args;
      minutes = Number.isFinite(parsed.choices.minutes) ? parsed.choices.minutes : undefined;
    } catch (error) {
      if (error instanceof TrainArgsError) {
        void vscode.window.showErrorMessage(`Sequence Lab: seqlab.resumeTraining: ${error.message}`);
        return undefined;
      }
      throw error;
    }
  } else {
    const picked = await vscode.window.showQuickPick(pickItems(minuteOptions(defaults.minutes), defaults.minutes), {
      title: 'Resume: more training time',
    });
    if (!picked) return undefined;
    minutes = picked.value;
  }

  // The saved run fixes the tokenizer, the sizes and the sampler's settings.
  const loaded = readModelFile(chosen.bytes);
  if (loaded.kind !== 'neural' || !loaded.checkpoint) return undefined;
  const { tokenizer, config } = loaded;
  const meta = loaded.metadata as Record<string, unknown>;
  const saved = (meta.training ?? {}) as { batchSize?: number; seqLen?: number; seed?: number; elapsedMs?: number; steps?: number };
  const previousMs = loaded.checkpoint.progress.elapsedMs;
  const previousSteps = loaded.checkpoint.progress.step;

  const corpus = await readWorkspace(args);
  if (!corpus || corpus.files.length === 0) return undefined;
  if ((args.confirm ?? true) && !(await confirmCorpus(`${chosen.entry.card.name} further`, corpus.description))) return undefined;
  const seed = saved.seed ?? 0;
  const prepared = await tokenize(corpus, seed, async () => tokenizer);
  if (!prepared) return undefined;
  const preset = (typeof meta.preset === 'string' ? meta.preset : 'small') as TrainingSpec['preset'];
  const base = trainingSpec(
    { arch: config.arch, tokenizer: tokenizer.kind, preset, minutes: minutes ?? Infinity },
    { ...args, seed, batchSize: saved.batchSize ?? args.batchSize, seqLen: saved.seqLen ?? args.seqLen },
    chosen.entry.card.name,
  );
  const spec: TrainingSpec = {
    ...base,
    // Budgets count what the saved run already did.
    maxTimeMs: base.maxTimeMs === null ? null : previousMs + base.maxTimeMs,
    maxSteps: base.maxSteps === null ? null : previousSteps + base.maxSteps,
  };
  return runSession(context, registry, {
    spec,
    tokenizer: tokenizer.toJSON(),
    data: prepared.data,
    corpus: corpus.description,
    // A plain copy: a Node Buffer would be posted as JSON, and may view a shared pool.
    resumeFrom: new Uint8Array(chosen.bytes),
    startFrom: null,
    base: (meta.base as BaseModelRecord | undefined) ?? null,
    modelId: chosen.entry.id,
    backend: args.backend,
  });
}
