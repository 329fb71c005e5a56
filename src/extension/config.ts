// One typed, read-only view of the `seqlab.` settings, mirroring package.json's
// contributes.configuration; read afresh on every change.
import * as vscode from 'vscode';
import type { Arch, Preset } from '../core/models/sequenceModel';
import type { TrainingBackend } from '../core/backendChoice';

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
  };
  readonly completions: {
    readonly enabled: boolean;
    readonly disabledLanguages: readonly string[];
    readonly maxLines: number;
    readonly minConfidence: number;
    readonly debounceMs: number;
    readonly temperature: number;
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
    },
    completions: {
      enabled: c.get('completions.enabled', true),
      disabledLanguages: c.get('completions.disabledLanguages', []),
      maxLines: c.get('completions.maxLines', 1),
      minConfidence: c.get('completions.minConfidence', 0.35),
      debounceMs: c.get('completions.debounceMs', 30),
      temperature: c.get('completions.temperature', 0),
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
