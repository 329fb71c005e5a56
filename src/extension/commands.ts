// The panel and view commands. Training, completion and model commands register beside their
// features (training/, completions/, models/).
import * as vscode from 'vscode';
import { PlaygroundPanel } from './playgroundPanel';
import { VisualizerViewProvider } from './visualizerView';

export function registerCommands(context: vscode.ExtensionContext): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand('seqlab.openPlayground', () => PlaygroundPanel.createOrShow(context)),
    vscode.commands.registerCommand('seqlab.showVisualizer', () =>
      vscode.commands.executeCommand(`${VisualizerViewProvider.viewId}.focus`),
    ),
  ];
}
