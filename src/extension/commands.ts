// Every command the extension contributes, registered in one place. Commands whose feature
// has not landed say so plainly instead of pretending to work.
import * as vscode from 'vscode';
import { PlaygroundPanel } from './playgroundPanel';
import { VisualizerViewProvider } from './visualizerView';

export const COMMANDS = {
  train: 'seqlab.train',
  stopTraining: 'seqlab.stopTraining',
  openPlayground: 'seqlab.openPlayground',
  showVisualizer: 'seqlab.showVisualizer',
  selectModel: 'seqlab.selectModel',
  toggleCompletions: 'seqlab.toggleCompletions',
  snoozeCompletions: 'seqlab.snoozeCompletions',
  exportOnnx: 'seqlab.exportOnnx',
  deleteModel: 'seqlab.deleteModel',
  renameModel: 'seqlab.renameModel',
  importModel: 'seqlab.importModel',
} as const;

/** Features contributed in the manifest whose implementation has not landed yet. */
const NOT_YET: ReadonlyArray<[command: string, feature: string]> = [
  [COMMANDS.exportOnnx, 'ONNX export'],
];

export function registerCommands(context: vscode.ExtensionContext): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand(COMMANDS.openPlayground, () => PlaygroundPanel.createOrShow(context)),
    vscode.commands.registerCommand(COMMANDS.showVisualizer, () =>
      vscode.commands.executeCommand(`${VisualizerViewProvider.viewId}.focus`),
    ),
    ...NOT_YET.map(([command, feature]) =>
      vscode.commands.registerCommand(command, () => notAvailableYet(feature)),
    ),
  ];
}

/** Resolves to the message shown, so tests can check what the user was told. */
export async function notAvailableYet(feature: string): Promise<string> {
  const message = `Sequence Lab: ${feature} is not available yet in this version.`;
  void vscode.window.showInformationMessage(message);
  return message;
}
