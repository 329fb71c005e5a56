// Activation stays light: register commands, views and serializers; everything heavy
// (tfjs, ONNX Runtime, models) loads on first use.
import * as vscode from 'vscode';
import { registerCommands } from './commands';
import { registerCompletions, type Completions } from './completions';
import { registerModelCommands } from './models/modelCommands';
import { registerTrainingCommands } from './training/trainCommand';
import { TrainingSession } from './training/trainingSession';
import { ModelRegistry } from './models/modelRegistry';
import { PlaygroundPanel } from './playgroundPanel';
import { VisualizerViewProvider, type VisualizerTestHook } from './visualizerView';

export interface SequenceLabApi {
  /** The playground panel, when open (tests read its backend report). */
  readonly playground: () => PlaygroundPanel | undefined;
  readonly models: ModelRegistry;
  /** The training run in progress, if any. */
  readonly training: () => TrainingSession | undefined;
  /** Inline completions: service (engine, state), provider and status-bar item. */
  readonly completions: Completions;
  /** Inside the Model: what it last posted to and heard back from its webview (tests compare it with inspect()). */
  readonly visualizer: VisualizerTestHook;
}

export function activate(context: vscode.ExtensionContext): SequenceLabApi {
  const models = new ModelRegistry(context);
  const { completions, disposables: completionDisposables } = registerCompletions(context, models, (listener) =>
    TrainingSession.onDidChangeCurrent((session) => listener(session !== undefined)),
  );
  const visualizer = new VisualizerViewProvider(context, models, {
    counts: (...args) => completions.service.hybridCounts(...args),
    onDidChangeEngine: (listener) => completions.service.onDidChangeStatus((status) => listener(status.engineLabel)),
  });
  context.subscriptions.push(
    models,
    ...registerCommands(context, models),
    ...registerModelCommands(models),
    ...registerTrainingCommands(context, models),
    ...completionDisposables,
    visualizer,
    vscode.window.registerWebviewViewProvider(VisualizerViewProvider.viewId, visualizer),
    vscode.window.registerWebviewPanelSerializer(PlaygroundPanel.viewType, {
      deserializeWebviewPanel: async (panel) => {
        PlaygroundPanel.revive(panel, context, models);
      },
    }),
  );
  return { training: () => TrainingSession.current, playground: () => PlaygroundPanel.instance, models, completions, visualizer: visualizer.testHook };
}

export function deactivate(): void {
  PlaygroundPanel.instance?.dispose();
}
