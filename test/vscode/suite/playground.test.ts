import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { ArenaRunRecord } from '../../../src/core/arena/report';
import type { SequenceLabApi } from '../../../src/extension/extension';
import type { ArenaArgs } from '../../../src/extension/playgroundPanel';

describe('Playground arena', () => {
  let api: SequenceLabApi;

  before(async () => {
    api = await vscode.extensions.getExtension<SequenceLabApi>('seqlab.sequence-lab')!.activate();
  });

  after(() => api.playground()?.dispose());

  it('contributes a walkthrough whose steps run registered commands and show media that ships', async () => {
    const extension = vscode.extensions.getExtension('seqlab.sequence-lab')!;
    const walkthroughs = extension.packageJSON.contributes.walkthroughs as Array<{ id: string; steps: Array<{ id: string; description: string; media: { markdown: string } }> }>;
    assert.equal(walkthroughs.length, 1);
    assert.deepEqual(walkthroughs[0].steps.map((s) => s.id), ['train', 'complete', 'inside', 'compare']);
    const registered = new Set(await vscode.commands.getCommands(true));
    for (const step of walkthroughs[0].steps) {
      const command = /\(command:([\w.]+)\)/.exec(step.description)?.[1];
      assert.ok(command && registered.has(command), `${step.id}: ${command} is registered`);
      const media = await vscode.workspace.fs.readFile(vscode.Uri.joinPath(extension.extensionUri, step.media.markdown));
      assert.match(new TextDecoder().decode(media), /^# /, `${step.media.markdown} ships`);
    }
  });

  it('an arena of two contenders on a lecture task returns the table with both rows, saved in the workspace', async function () {
    this.timeout(240_000);
    const args: ArenaArgs = {
      contenders: [{ kind: 'rnn-tanh', preset: 'nano' }, { kind: 'ngram', knobs: { order: 3 } }],
      dataset: { kind: 'task', task: { id: 'recall', size: 6, count: 256, seed: 1 } },
      budget: { kind: 'tokens', tokens: 3000 },
    };
    const record = await vscode.commands.executeCommand<ArenaRunRecord>('seqlab.runArena', args);
    assert.ok(record, 'the command resolves with the run');
    assert.deepEqual(record.rows.map((r) => r.label), ['RNN tanh nano', 'n-gram (Kneser-Ney), order 3']);
    assert.equal(record.curves.length, 2);
    const [rnn, ngram] = record.rows;
    assert.ok(rnn.tokensSeen >= 3000, `the RNN used its budget: ${rnn.tokensSeen}`);
    assert.ok(rnn.parameters > 0 && ngram.parameters === 0);
    for (const row of record.rows) {
      assert.ok(row.heldOutBitsPerChar > 0 && row.heldOutBitsPerChar < 8, `${row.label}: ${row.heldOutBitsPerChar} bits/char`);
      assert.ok(row.taskAccuracy !== null);
    }
    assert.ok(record.curves[0].length >= 2, 'the RNN curve has points');
    assert.match(record.backend, /^(wasm|cpu|webgl)$/);
    const saved = vscode.Uri.joinPath(vscode.workspace.workspaceFolders![0].uri, '.seqlab', 'arena', `${record.id}.json`);
    const onDisk = JSON.parse(new TextDecoder().decode(await vscode.workspace.fs.readFile(saved))) as ArenaRunRecord;
    assert.deepEqual(onDisk.rows.map((r) => r.label), record.rows.map((r) => r.label));
  });
});
