// Reading model cards (activation, the models view, import) must load neither lazy bundle
// (dist/completionRuntime.js with ONNX Runtime, dist/modelRuntime.js with tfjs): cards come from
// the tfjs-free container. This file sorts first in the suite, so nothing has loaded a bundle
// before it; its last test is the control that the check sees one once weights are needed, and
// that exporting ONNX still leaves tfjs unloaded.
import * as assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { saveNgramFile } from '../../../src/core/modelFile/container';
import { NgramModel } from '../../../src/core/ngram/ngram';
import type { SequenceLabApi } from '../../../src/extension/extension';

/** The extension's lazy bundles loaded in this extension host, by name. */
function loadedRuntimes(): string[] {
  return Object.keys(require.cache)
    .map((file) => /[\\/]dist[\\/](modelRuntime|completionRuntime)\.js$/.exec(file)?.[1])
    .filter((name): name is string => name !== undefined);
}

describe('model cards without the model runtime', () => {
  let api: SequenceLabApi;
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'seqlab-cards-'));

  before(async () => {
    api = await vscode.extensions.getExtension<SequenceLabApi>('seqlab.sequence-lab')!.activate();
  });

  it('activates, lists the built-in models with their cards and imports one, with the lazy bundle unloaded', async () => {
    const listed = await api.models.list();
    const neural = listed.filter((e) => e.card.kind === 'neural');
    assert.ok(neural.length >= 1, 'a built-in neural model is listed');
    assert.ok(neural.every((e) => e.card.parameters > 0), 'its card counts the parameters (read from the manifest)');
    const file = path.join(scratch, 'cards.seqlab');
    writeFileSync(file, saveNgramFile({ ngram: NgramModel.train(['cards '.repeat(40)], { order: 3 }) }));
    const id = await vscode.commands.executeCommand<string>('seqlab.importModel', vscode.Uri.file(file));
    assert.ok((await api.models.list()).some((e) => e.id === id), 'the imported model is listed');
    assert.deepEqual(loadedRuntimes(), [], 'reading cards loaded a lazy bundle');
    await vscode.commands.executeCommand('seqlab.deleteModel', id, true);
  });

  it('loads the completion runtime once weights are needed, and exports ONNX without tfjs', async function () {
    this.timeout(120_000);
    const target = vscode.Uri.file(path.join(scratch, 'control.onnx'));
    const written = await vscode.commands.executeCommand<string[]>('seqlab.exportOnnx', 'builtin:lstm-small-js', target);
    assert.equal(written?.length, 2, 'the export wrote both graphs');
    assert.deepEqual(loadedRuntimes(), ['completionRuntime']);
  });
});
