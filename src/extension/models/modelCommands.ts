// Commands over the model registry: select the active model, rename, delete, import a file.
import * as vscode from 'vscode';
import { readFile } from 'node:fs/promises';
import { checkOutputs, writeFileAtomic } from '../../node/atomicWrite';
import { completionRuntime } from '../lazyRuntime';
import type { ModelEntry, ModelRegistry } from './modelRegistry';

interface ModelPick extends vscode.QuickPickItem {
  readonly entry: ModelEntry;
}

export function describeEntry(entry: ModelEntry): string {
  const c = entry.card;
  const size = c.parameters > 0 ? `${(c.parameters / 1000).toFixed(0)}k params` : c.kind;
  const quality = c.validationBitsPerChar !== undefined ? `, ${c.validationBitsPerChar.toFixed(2)} bits/char held out` : '';
  return `${c.arch} · ${size}${quality}${entry.builtIn ? ' · ships with Sequence Lab' : ''}`;
}

async function pickModel(registry: ModelRegistry, title: string, ownOnly: boolean): Promise<ModelEntry | undefined> {
  const active = await registry.getActive();
  const entries = (await registry.list()).filter((e) => !ownOnly || !e.builtIn);
  if (entries.length === 0) {
    void vscode.window.showInformationMessage(
      ownOnly ? 'Sequence Lab: this workspace has no trained models yet.' : 'Sequence Lab: no models yet. Import a model file or train one.',
    );
    return undefined;
  }
  const picked = await vscode.window.showQuickPick<ModelPick>(
    entries.map((entry) => ({
      entry,
      label: `${entry.id === active?.id ? '$(check) ' : ''}${entry.card.name}`,
      description: describeEntry(entry),
      detail: `created ${new Date(entry.card.createdAt).toLocaleString()}`,
    })),
    { title, matchOnDescription: true },
  );
  return picked?.entry;
}

export function registerModelCommands(registry: ModelRegistry): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand('seqlab.selectModel', async (id?: string) => {
      const entry = typeof id === 'string' ? await registry.get(id) : await pickModel(registry, 'Select the active model', false);
      if (!entry) return undefined;
      await registry.setActive(entry.id);
      void vscode.window.setStatusBarMessage(`Sequence Lab: ${entry.card.name} is active`, 3000);
      return entry.id;
    }),
    vscode.commands.registerCommand('seqlab.renameModel', async (id?: string, newName?: string) => {
      const entry = typeof id === 'string' ? await registry.get(id) : await pickModel(registry, 'Rename a model', true);
      if (!entry) return undefined;
      const name =
        newName ??
        (await vscode.window.showInputBox({
          title: 'New name',
          value: entry.card.name,
          validateInput: (v) => (v.trim() ? undefined : 'The name cannot be empty'),
        }));
      if (!name?.trim()) return undefined;
      await registry.rename(entry.id, name.trim());
      return entry.id;
    }),
    vscode.commands.registerCommand('seqlab.deleteModel', async (id?: string, confirmed?: boolean) => {
      const entry = typeof id === 'string' ? await registry.get(id) : await pickModel(registry, 'Delete a model', true);
      if (!entry) return undefined;
      if (entry.builtIn) {
        void vscode.window.showWarningMessage(`Sequence Lab: ${entry.card.name} ships with the extension and cannot be deleted.`);
        return undefined;
      }
      if (confirmed !== true) {
        const answer = await vscode.window.showWarningMessage(`Delete the model "${entry.card.name}"?`, { modal: true }, 'Delete');
        if (answer !== 'Delete') return undefined;
      }
      await registry.delete(entry.id);
      return entry.id;
    }),
    vscode.commands.registerCommand('seqlab.exportOnnx', async (id?: string, target?: vscode.Uri) => {
      const entry = typeof id === 'string' ? await registry.get(id) : await pickModel(registry, 'Export a model as ONNX', false);
      if (!entry) return undefined;
      if (entry.card.kind !== 'neural') {
        void vscode.window.showErrorMessage(`Sequence Lab: ${entry.card.name} is an n-gram model; only neural models have an ONNX form.`);
        return undefined;
      }
      const out =
        target ??
        (await vscode.window.showSaveDialog({
          title: 'Export the model as ONNX (a second file, .step.onnx, holds the step graph)',
          defaultUri: vscode.Uri.joinPath(vscode.workspace.workspaceFolders?.[0]?.uri ?? vscode.Uri.file(process.cwd()), `${entry.id.replace(/^builtin:/, '')}.onnx`),
          filters: { ONNX: ['onnx'] },
        }));
      if (!out) return undefined;
      const runtime = completionRuntime();
      const stepPath = runtime.stepGraphPath(out.fsPath);
      try {
        checkOutputs([out.fsPath, stepPath], [entry.file]);
      } catch (e) {
        void vscode.window.showErrorMessage(`Sequence Lab: cannot export there: ${(e as Error).message}`);
        return undefined;
      }
      const graphs = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `Exporting ${entry.card.name} to ONNX…` },
        async () => runtime.exportModelBytesToOnnx(await registry.read(entry.id)),
      );
      await writeFileAtomic(out.fsPath, graphs.full);
      await writeFileAtomic(stepPath, graphs.step);
      void vscode.window.showInformationMessage(`Sequence Lab: wrote ${out.fsPath} and ${stepPath} (inputs and outputs: docs/onnx.md).`);
      return [out.fsPath, stepPath];
    }),
    vscode.commands.registerCommand('seqlab.importModel', async (uri?: vscode.Uri) => {
      const source =
        uri ??
        (
          await vscode.window.showOpenDialog({
            title: 'Import a Sequence Lab model file',
            filters: { 'Sequence Lab models': ['seqlab'] },
            canSelectMany: false,
          })
        )?.[0];
      if (!source) return undefined;
      try {
        const entry = await registry.add(await readFile(source.fsPath));
        await registry.setActive(entry.id);
        void vscode.window.showInformationMessage(`Sequence Lab: imported ${entry.card.name} (${describeEntry(entry)}); it is now active.`);
        return entry.id;
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        void vscode.window.showErrorMessage(`Sequence Lab: ${source.fsPath} is not a usable model file: ${reason}`);
        return undefined;
      }
    }),
  ];
}
