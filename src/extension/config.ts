// One typed, read-only view of the `seqlab.` settings, mirroring package.json's
// contributes.configuration; read afresh on every change.
import * as vscode from 'vscode';
import type { Arch, Preset } from '../core/models/sequenceModel';
import type { TrainingBackend } from '../core/backend/choice';

export const SECTION = 'seqlab';

export interface SeqlabConfig {
  readonly include: readonly string[];
  readonly exclude: readonly string[];
  readonly modelLocation: 'workspaceStorage' | 'workspaceFolder';
  readonly training: {
    readonly architecture: Arch;
    readonly tokenizer: 'char' | 'word';
    readonly preset: Preset;
    readonly minutes: number;
    readonly backend: 'auto' | TrainingBackend;
    /** 'base': fine-tune the shipped base model when the choices fit it; 'scratch': random weights. */
    readonly startFrom: 'base' | 'scratch';
    /** Files larger than this many KiB are not trained on. */
    readonly maxFileKB: number;
    /** Cap on the corpus in MiB of characters; over it, an even sample of the files. */
    readonly maxCorpusMB: number;
  };
  readonly completions: {
    readonly enabled: boolean;
    readonly disabledLanguages: readonly string[];
    readonly maxLines: number;
    readonly minConfidence: number;
    readonly debounceMs: number;
    readonly temperature: number;
    /** When sampling: only the k most likely tokens; 0 = all. */
    readonly topK: number;
    /** End a suggestion before a token the model gives less than this. */
    readonly minTokenProbability: number;
    /** Show a suggestion while the model's chance that it is exactly right is at least this. */
    readonly minSuggestionProbability: number;
    /** η of dynamic evaluation: how fast a recurrent model learns the document being typed; 0 = off. */
    readonly adaptationRate: number;
    /** What completes: see package.json seqlab.completions.source. */
    readonly source: 'auto' | 'activeModel' | 'workspaceNgram';
  };
  readonly visualizer: { readonly contextTokens: number };
}

export function readConfig(scope?: vscode.ConfigurationScope): SeqlabConfig {
  const c = vscode.workspace.getConfiguration(SECTION, scope);
  return {
    include: c.get('include', ['**/*']),
    exclude: c.get('exclude', []),
    modelLocation: c.get('modelLocation', 'workspaceStorage'),
    training: {
      architecture: c.get('training.architecture', 'lstm'),
      tokenizer: c.get('training.tokenizer', 'char'),
      preset: c.get('training.preset', 'small'),
      minutes: c.get('training.minutes', 5),
      backend: c.get('training.backend', 'auto'),
      startFrom: c.get('training.startFrom', 'base'),
      maxFileKB: c.get('training.maxFileKB', 1024),
      maxCorpusMB: c.get('training.maxCorpusMB', 20),
    },
    completions: {
      enabled: c.get('completions.enabled', true),
      disabledLanguages: c.get('completions.disabledLanguages', []),
      maxLines: c.get('completions.maxLines', 1),
      minConfidence: c.get('completions.minConfidence', 0.35),
      debounceMs: c.get('completions.debounceMs', 0),
      temperature: c.get('completions.temperature', 0),
      topK: c.get('completions.topK', 0),
      minTokenProbability: c.get('completions.minTokenProbability', 0.5),
      minSuggestionProbability: c.get('completions.minSuggestionProbability', 0.3),
      adaptationRate: c.get('completions.adaptationRate', 0.03),
      source: c.get('completions.source', 'auto'),
    },
    visualizer: { contextTokens: c.get('visualizer.contextTokens', 64) },
  };
}

/** Fires `listener` with the new config whenever a `seqlab.` setting changes. */
export function onConfigChange(listener: (config: SeqlabConfig) => void): vscode.Disposable {
  return vscode.workspace.onDidChangeConfiguration((e) => {
    if (e.affectsConfiguration(SECTION)) listener(readConfig());
  });
}
