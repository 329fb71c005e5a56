import * as assert from 'node:assert/strict';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { saveNgramFile } from '../../../src/core/modelFile';
import { NgramModel } from '../../../src/core/ngram/ngram';
import type { SequenceLabApi } from '../../../src/extension/extension';

function ngramFile(dir: string, text: string): string {
  const file = path.join(dir, `ngram-${Math.random().toString(36).slice(2)}.seqlab`);
  writeFileSync(file, saveNgramFile({ ngram: NgramModel.train([text], { order: 3 }) }));
  return file;
}

describe('model registry', () => {
  let api: SequenceLabApi;
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'seqlab-models-'));

  before(async () => {
    api = await vscode.extensions.getExtension<SequenceLabApi>('seqlab.sequence-lab')!.activate();
  });

  after(async () => {
    await vscode.workspace.getConfiguration('seqlab').update('modelLocation', undefined, vscode.ConfigurationTarget.Workspace);
  });

  it('imports a model file, lists it with its card and makes it active', async () => {
    const id = await vscode.commands.executeCommand<string>('seqlab.importModel', vscode.Uri.file(ngramFile(scratch, 'abcabc'.repeat(50))));
    assert.ok(id);
    const entry = (await api.models.list()).find((e) => e.id === id);
    assert.ok(entry, 'listed');
    assert.equal(entry.card.kind, 'ngram');
    assert.equal(entry.card.arch, 'ngram');
    assert.equal((await api.models.getActive())?.id, id);
  });

  it('renames, selects and deletes through the commands', async () => {
    const first = await vscode.commands.executeCommand<string>('seqlab.importModel', vscode.Uri.file(ngramFile(scratch, 'xyz'.repeat(30))));
    const second = await vscode.commands.executeCommand<string>('seqlab.importModel', vscode.Uri.file(ngramFile(scratch, 'pqr'.repeat(30))));
    await vscode.commands.executeCommand('seqlab.renameModel', first, 'my first model');
    assert.equal((await api.models.get(first))?.card.name, 'my first model');

    const activeChanges: Array<string | undefined> = [];
    const listener = api.models.onDidChangeActive((e) => activeChanges.push(e?.id));
    await vscode.commands.executeCommand('seqlab.selectModel', first);
    assert.equal((await api.models.getActive())?.id, first);

    const file = (await api.models.get(first))!.file;
    await vscode.commands.executeCommand('seqlab.deleteModel', first, true);
    listener.dispose();
    assert.equal(await api.models.get(first), undefined);
    assert.equal(existsSync(file), false, 'the file is gone');
    assert.notEqual((await api.models.getActive())?.id, first, 'another model became active');
    assert.deepEqual(activeChanges[0], first);
    assert.ok(second);
  });

  it('rejects a malformed file with a clear error and adds nothing', async () => {
    const before = (await api.models.list()).length;
    const bad = path.join(scratch, 'bad.seqlab');
    writeFileSync(bad, 'SQLBMODL this is not a model');
    const id = await vscode.commands.executeCommand<string | undefined>('seqlab.importModel', vscode.Uri.file(bad));
    assert.equal(id, undefined);
    assert.equal((await api.models.list()).length, before);
  });

  it('stores models in .seqlab/models of the workspace when seqlab.modelLocation says so', async () => {
    await vscode.workspace.getConfiguration('seqlab').update('modelLocation', 'workspaceFolder', vscode.ConfigurationTarget.Workspace);
    const root = vscode.workspace.workspaceFolders![0].uri.fsPath;
    assert.equal(api.models.folder(), path.join(root, '.seqlab', 'models'));
    const id = await vscode.commands.executeCommand<string>('seqlab.importModel', vscode.Uri.file(ngramFile(scratch, 'shared'.repeat(20))));
    const entry = await api.models.get(id);
    assert.ok(entry?.file.startsWith(path.join(root, '.seqlab', 'models')));
    assert.ok(existsSync(entry!.file.replace(/\.seqlab$/, '.card.json')), 'card beside the model');
  });
});
