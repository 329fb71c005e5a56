// The panel and view commands. Training, completion and model commands register beside their
// features (training/, completions/, models/).
import * as vscode from 'vscode';
import type { ModelRegistry } from './models/modelRegistry';
import { PlaygroundPanel, type ArenaArgs } from './playgroundPanel';
import { VisualizerViewProvider } from './visualizerView';

export function registerCommands(context: vscode.ExtensionContext, models: ModelRegistry): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand('seqlab.openPlayground', () => PlaygroundPanel.createOrShow(context, models)),
    // From the palette: the Playground's arena form; from code: runs `args` and resolves with the record.
    vscode.commands.registerCommand('seqlab.runArena', async (args?: ArenaArgs) => {
      const panel = PlaygroundPanel.createOrShow(context, models);
      return args ? panel.runArena(args) : undefined;
    }),
    vscode.commands.registerCommand('seqlab.showVisualizer', () =>
      vscode.commands.executeCommand(`${VisualizerViewProvider.viewId}.focus`),
    ),
  ];
}
