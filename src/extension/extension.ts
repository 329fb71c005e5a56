// Activation stays light: register commands, views and serializers; everything heavy
// (tfjs, ONNX Runtime, models) loads on first use.
import * as vscode from 'vscode';
import { registerCommands } from './commands';
import { PlaygroundPanel } from './playgroundPanel';
import { VisualizerViewProvider } from './visualizerView';

export interface SequenceLabApi {
  /** The playground panel, when open (tests read its backend report). */
  readonly playground: () => PlaygroundPanel | undefined;
}

export function activate(context: vscode.ExtensionContext): SequenceLabApi {
  const visualizer = new VisualizerViewProvider(context);
  context.subscriptions.push(
    ...registerCommands(context),
    visualizer,
    vscode.window.registerWebviewViewProvider(VisualizerViewProvider.viewId, visualizer),
    vscode.window.registerWebviewPanelSerializer(PlaygroundPanel.viewType, {
      deserializeWebviewPanel: async (panel) => {
        PlaygroundPanel.revive(panel, context);
      },
    }),
  );
  return { playground: () => PlaygroundPanel.instance };
}

export function deactivate(): void {
  PlaygroundPanel.instance?.dispose();
}
