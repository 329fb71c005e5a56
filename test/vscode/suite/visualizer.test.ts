// Inside the Model in a real VS Code: with a model imported and active and the cursor placed in a
// file, the internals the view is sent (and acknowledges drawing) are the model's own inspect()
// of the tokens before the cursor.
import * as assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import * as vscode from 'vscode';
import { saveModelFile, saveNgramFile } from '../../../src/core/modelFile';
import { createModel, presetConfig, type Arch, type ModelInternals } from '../../../src/core/models';
import { NgramModel } from '../../../src/core/ngram/ngram';
import { buildTokenizer, type Tokenizer } from '../../../src/core/tokenizers';
import { matrixFromRows, type Matrix } from '../../../src/core/visualization/heatmap';
import { windowTokens } from '../../../src/core/visualization/window';
import type { SequenceLabApi } from '../../../src/extension/extension';
import type { VisualizerInternalsMessage } from '../../../src/protocol';
import { hybridBestMeasurement } from './support/hybridMeasured';

const scratch = mkdtempSync(path.join(os.tmpdir(), 'seqlab-visualizer-'));
const CORPUS = 'function greet(name) {\n  return `Hello, ${name}!`;\n}\nmodule.exports = { greet };\n';

/**
 * A nano model written to a file, with its inspect() of `ids` computed and the model disposed
 * before the extension loads the file. (tfjs keeps one engine per process: a model left alive
 * here would hold variable names the extension's copy of the library may want.)
 */
function writeModel(arch: Arch, tokenizer: Tokenizer, ids: readonly number[], metadata: Record<string, unknown> = {}): { file: string; expected: ModelInternals } {
  const model = createModel(presetConfig(arch, 'nano', tokenizer.vocabSize, { seed: 3 }));
  try {
    const file = path.join(scratch, `${arch}-${Math.random().toString(36).slice(2)}.seqlab`);
    writeFileSync(file, saveModelFile({ model, tokenizer, metadata: { preset: 'nano', ...metadata } }));
    return { file, expected: model.inspect(ids) };
  } finally {
    model.dispose();
  }
}

function assertClose(actual: Matrix, expected: Matrix, what: string, tolerance = 1e-4): void {
  assert.deepEqual([actual.rows, actual.cols], [expected.rows, expected.cols], `${what}: shape`);
  for (let i = 0; i < expected.data.length; i++) {
    if (!(Math.abs(actual.data[i] - expected.data[i]) <= tolerance)) {
      assert.fail(`${what}: value ${i} is ${actual.data[i]}, inspect() gives ${expected.data[i]}`);
    }
  }
}

describe('Inside the Model', () => {
  let api: SequenceLabApi;
  let editor: vscode.TextEditor;
  let textBeforeCursor: string;

  before(async () => {
    api = await vscode.extensions.getExtension<SequenceLabApi>('seqlab.sequence-lab')!.activate();
    await tf.setBackend('cpu');
    const uri = vscode.Uri.joinPath(vscode.workspace.workspaceFolders![0].uri, 'hello.js');
    editor = await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
    // The cursor after "return `Hello, " on line 3.
    const line = editor.document.lineAt(2);
    const cursor = line.range.start.translate(0, line.text.indexOf('${'));
    editor.selection = new vscode.Selection(cursor, cursor);
    textBeforeCursor = editor.document.getText(new vscode.Range(new vscode.Position(0, 0), cursor));
    await vscode.commands.executeCommand('seqlab.showVisualizer');
  });

  /** The internals for `modelId` at the cursor, once the view has drawn them. */
  async function internalsFor(modelId: string, ids: readonly number[]): Promise<VisualizerInternalsMessage> {
    const deadline = Date.now() + 45_000;
    for (;;) {
      const sent = api.visualizer.lastInternals();
      const drawn = api.visualizer.lastRendered();
      if (
        sent?.modelId === modelId &&
        sent.fileName === 'hello.js' &&
        JSON.stringify(sent.tokens.ids) === JSON.stringify(ids) &&
        drawn?.requestId === sent.requestId
      ) {
        return sent;
      }
      if (Date.now() > deadline) {
        assert.fail(
          `no drawn internals for ${modelId} at the cursor: state ${api.visualizer.modelState()} (${api.visualizer.modelMessage()}), last sent ${sent?.modelId} ` +
            `${sent?.fileName} (${sent?.tokens.ids.length} tokens, request ${sent?.requestId}), last drawn ${JSON.stringify(drawn)}`,
        );
      }
      // Nudge the view (as a cursor move would) in case the editor lost focus to the view.
      editor.selection = new vscode.Selection(editor.selection.active, editor.selection.active);
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  it('shows an LSTM’s gates at the cursor: exactly its inspect() of the last tokens', async () => {
    const tokenizer = buildTokenizer('char', [CORPUS]);
    const contextTokens = vscode.workspace.getConfiguration('seqlab').get<number>('visualizer.contextTokens')!;
    const window = windowTokens(tokenizer, textBeforeCursor, contextTokens, true);
    assert.ok(window.ids.length > 20, 'enough text before the cursor');
    const { file, expected } = writeModel('lstm', tokenizer, window.ids);
    const id = await vscode.commands.executeCommand<string>('seqlab.importModel', vscode.Uri.file(file));
    assert.ok(id, 'imported');

    const sent = await internalsFor(id, window.ids);
    // before() started tfjs on cpu, as other code in the host may: the view still computes on wasm.
    assert.equal(api.visualizer.modelBackend(), 'wasm', 'the backend the view reports');
    assert.deepEqual(sent.tokens.labels, window.labels);
    assert.equal(api.visualizer.lastRendered()!.view, 'gates');
    assert.equal(api.visualizer.lastRendered()!.painted, 6 * 64 * window.ids.length, 'six maps of 64 units × the window drawn');

    const layer = sent.layers[0];
    const ref = expected.layers[0];
    assert.equal(layer.kind, 'lstm');
    if (layer.kind !== 'lstm' || ref.kind !== 'lstm') return;
    assertClose(layer.forget, matrixFromRows(ref.forget), 'forget gate');
    assertClose(layer.input, matrixFromRows(ref.input), 'input gate');
    assertClose(layer.output, matrixFromRows(ref.output), 'output gate');
    assertClose(layer.candidate, matrixFromRows(ref.candidate), 'candidate');
    assertClose(layer.cell, matrixFromRows(ref.cell), 'cell state');
    assertClose(layer.hidden, matrixFromRows(ref.hidden), 'hidden state');
    const last = expected.logits[expected.logits.length - 1];
    assertClose({ rows: 1, cols: last.length, data: sent.nextLogits }, matrixFromRows([last]), 'next-token logits');
  });

  it('shows a Transformer’s attention at the cursor: exactly its inspect(), the causal upper triangle zero', async () => {
    const tokenizer = buildTokenizer('char', [CORPUS]);
    const window = windowTokens(tokenizer, textBeforeCursor, vscode.workspace.getConfiguration('seqlab').get<number>('visualizer.contextTokens')!, true);
    const { file, expected } = writeModel('transformer', tokenizer, window.ids);
    const id = await vscode.commands.executeCommand<string>('seqlab.importModel', vscode.Uri.file(file));
    assert.ok(id, 'imported');
    const sent = await internalsFor(id, window.ids);
    assert.equal(api.visualizer.lastRendered()!.view, 'attention');
    const T = window.ids.length;
    assert.equal(api.visualizer.lastRendered()!.painted, (T * (T + 1)) / 2, 'the lower triangle and diagonal drawn, the masked upper triangle left empty');

    const layer = sent.layers[0];
    const ref = expected.layers[0];
    if (layer.kind !== 'attention' || ref.kind !== 'attention') return assert.fail('attention layer expected');
    assert.equal(layer.heads.length, 4);
    layer.heads.forEach((head, h) => {
      assertClose(head, matrixFromRows(ref.attention[h]), `head ${h + 1}`);
      for (let q = 0; q < T; q++) for (let k = q + 1; k < T; k++) assert.equal(head.data[q * T + k], 0, `head ${h + 1}: query ${q} sees key ${k}`);
    });
    assert.deepEqual([sent.positional?.rows, sent.positional?.cols], [T, 64]);
  });

  it('when completions serve the model mixed with the workspace n-gram, shows both sides and the mix at the cursor', async () => {
    const tokenizer = buildTokenizer('char', [CORPUS]);
    const window = windowTokens(tokenizer, textBeforeCursor, vscode.workspace.getConfiguration('seqlab').get<number>('visualizer.contextTokens')!, true);
    const gate = { weights: [0.5, 1, -1, 0.5, -0.5, -2, 0.3], fittedOn: 1000 };
    // Measured as training measures it, the hybrid best: under 'auto' the model serves mixed.
    const { file } = writeModel('lstm', tokenizer, window.ids, { validationCompletion: hybridBestMeasurement(gate) });
    const id = await vscode.commands.executeCommand<string>('seqlab.importModel', vscode.Uri.file(file));
    await vscode.commands.executeCommand('seqlab.selectModel', id);
    assert.match((await api.completions.service.getEngine())?.label ?? '', /\+ workspace n-gram$/);
    let sent = await internalsFor(id, window.ids);
    for (const deadline = Date.now() + 30_000; !sent.hybrid && Date.now() < deadline; ) {
      await new Promise((r) => setTimeout(r, 250));
      sent = await internalsFor(id, window.ids);
    }
    const hybrid = sent.hybrid;
    assert.ok(hybrid, 'the hybrid is shown');
    // The cursor is after "return `Hello, " in hello.js, which the workspace n-gram counted: "$" follows.
    const top = hybrid.ngram.indexOf(Math.max(...hybrid.ngram));
    assert.equal(tokenizer.decode([top]), '$', 'the n-gram side knows how the line goes on');
    const ngramMass = hybrid.ngram.reduce((a, b) => a + b, 0);
    assert.ok(ngramMass > 0.5 && ngramMass <= 1 + 1e-6, `n-gram mass on the model's characters: ${ngramMass}`);
    // g = σ(θ · φ), φ = (1, top and entropy/6 of each side, Σ p·q, same top), and the mix, from the equation.
    const max = Math.max(...sent.nextLogits);
    const exp = Array.from(sent.nextLogits, (z) => Math.exp(z - max));
    const model = exp.map((e) => e / exp.reduce((a, b) => a + b, 0));
    const topEntropy = (p: ArrayLike<number>) => [Math.max(...Array.from(p)), -Array.from(p).reduce((h, q) => (q > 0 ? h + q * Math.log2(q) : h), 0) / 6];
    const argmax = (p: ArrayLike<number>) => Array.from(p).indexOf(Math.max(...Array.from(p)));
    const agreement = model.reduce((a, p, i) => a + p * hybrid.ngram[i], 0);
    const phi = [1, ...topEntropy(hybrid.ngram), ...topEntropy(model), agreement, argmax(hybrid.ngram) === argmax(model) ? 1 : 0];
    const g = 1 / (1 + Math.exp(-phi.reduce((z, f, i) => z + f * gate.weights[i], 0)));
    assert.ok(Math.abs(hybrid.weight - g) < 1e-4, `g ${hybrid.weight} vs ${g}`);
    model.forEach((p, i) => assert.ok(Math.abs(hybrid.mixed[i] - (g * hybrid.ngram[i] + (1 - g) * p)) < 1e-5, `mix at ${i}`));
  });

  it('shows an n-gram model’s next-character distribution only', async () => {
    const ngram = NgramModel.train([CORPUS], { order: 4 });
    const file = path.join(scratch, 'ngram.seqlab');
    writeFileSync(file, saveNgramFile({ ngram }));
    const id = await vscode.commands.executeCommand<string>('seqlab.importModel', vscode.Uri.file(file));
    const expectedIds = [...textBeforeCursor.slice(-3)].map((c) => c.codePointAt(0)!);
    const sent = await internalsFor(id, expectedIds);
    assert.deepEqual(sent.layers, []);
    const dist = ngram.distribution(textBeforeCursor);
    const probabilities = Array.from(sent.nextLogits, (z) => Math.exp(z));
    dist.probs.forEach((p, i) => assert.ok(Math.abs(probabilities[i] - p) < 1e-6, `P(${dist.chars[i]})`));
    assert.ok(Math.abs(probabilities[dist.chars.length] - dist.unknown) < 1e-6, 'P(unseen)');
  });
});
