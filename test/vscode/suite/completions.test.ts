// Inline completions through the real API: the provider object from the extension's test API,
// real TextDocuments, Positions and CancellationTokenSources.
import * as assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import * as vscode from 'vscode';
import { DEFAULT_DECODING } from '../../../src/core/completion/engine';
import { neuralServing, type ServingEngine } from '../../../src/core/completion/servingEngine';
import { WORKSPACE_NGRAM_ORDER } from '../../../src/core/completion/autoServing';
import { ngramBlend, NgramSide } from '../../../src/core/completion/hybrid';
import { DEFAULT_DOCUMENT_CACHE } from '../../../src/core/ngram/documentCache';
import { tfjsStepper } from '../../../src/core/completion/stepper';
import { isAcceptable, keystrokeSavings, limitCharacters, lineEnd, type KeystrokeResult } from '../../../src/core/evaluation';
import { loadModelFile, saveModelFile, saveNgramFile } from '../../../src/core/modelFile';
import { splitTexts } from '../../../src/core/corpus/splitTexts';
import { readCorpus } from '../../../src/node/corpus';
import { createModel, presetConfig } from '../../../src/core/models';
import { NgramModel } from '../../../src/core/ngram/ngram';
import { CharTokenizer } from '../../../src/core/tokenizers';
import type { Outcome } from '../../../src/core/completion/controller';
import type { SequenceLabApi } from '../../../src/extension/extension';
import { hybridBestMeasurement } from './support/hybridMeasured';

const TRAINING_TEXT = [
  'function add(a, b) {\n  return a + b;\n}\n',
  'const total = add(1, 2);\n',
  'if (total > 2) {\n  console.log(total);\n}\n',
].join('').repeat(30);

const scratch = mkdtempSync(path.join(os.tmpdir(), 'seqlab-completions-'));

function writeNgram(): string {
  const file = path.join(scratch, `ngram-${Math.random().toString(36).slice(2)}.seqlab`);
  writeFileSync(file, saveNgramFile({ ngram: NgramModel.train([TRAINING_TEXT], { order: 8 }) }));
  return file;
}

/** An LSTM nano with random weights and a scaled output layer: clear (if meaningless) greedy choices. */
async function writeNeural(metadata: Record<string, unknown> = {}): Promise<string> {
  await tf.setBackend('cpu');
  const tokenizer = CharTokenizer.build([TRAINING_TEXT]);
  const model = createModel(presetConfig('lstm', 'nano', tokenizer.vocabSize, { seed: 5 }));
  const kernel = model.weights.get('output/kernel')!;
  kernel.assign(tf.tidy(() => kernel.mul(12)));
  const file = path.join(scratch, `lstm-${Math.random().toString(36).slice(2)}.seqlab`);
  writeFileSync(file, saveModelFile({ model, tokenizer, metadata: { preset: 'nano', ...metadata } }));
  model.dispose();
  return file;
}

async function setting(key: string, value: unknown): Promise<void> {
  await vscode.workspace.getConfiguration('seqlab').update(key, value, vscode.ConfigurationTarget.Global);
}

describe('inline completions', () => {
  let api: SequenceLabApi;
  const invoke: vscode.InlineCompletionContext = { triggerKind: vscode.InlineCompletionTriggerKind.Invoke, selectedCompletionInfo: undefined };
  const automatic: vscode.InlineCompletionContext = { triggerKind: vscode.InlineCompletionTriggerKind.Automatic, selectedCompletionInfo: undefined };

  let docs = 0;
  /** A document on disk (none is left dirty: the suite's edits are saved). */
  async function doc(content: string, language: 'javascript' | 'plaintext' = 'javascript'): Promise<vscode.TextDocument> {
    const file = path.join(scratch, `doc-${docs++}.${language === 'javascript' ? 'js' : 'txt'}`);
    writeFileSync(file, content);
    const d = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
    assert.equal(d.languageId, language);
    return d;
  }

  async function type(d: vscode.TextDocument, offset: number, text: string): Promise<void> {
    const edit = new vscode.WorkspaceEdit();
    edit.insert(d.uri, d.positionAt(offset), text);
    assert.ok(await vscode.workspace.applyEdit(edit));
    assert.ok(await d.save());
  }

  async function complete(
    document: vscode.TextDocument,
    position = document.positionAt(document.getText().length),
    token = new vscode.CancellationTokenSource().token,
    context = invoke,
  ): Promise<{ items: vscode.InlineCompletionItem[] | undefined; outcome: Outcome | undefined }> {
    const items = await api.completions.provider.provideInlineCompletionItems(document, position, context, token);
    return { items: items ?? undefined, outcome: api.completions.provider.lastOutcome };
  }

  const insertText = (item: vscode.InlineCompletionItem) => item.insertText as string;

  before(async () => {
    api = await vscode.extensions.getExtension<SequenceLabApi>('seqlab.sequence-lab')!.activate();
    await setting('completions.disabledLanguages', ['plaintext', 'markdown']);
    const id = await vscode.commands.executeCommand<string>('seqlab.importModel', vscode.Uri.file(writeNgram()));
    await vscode.commands.executeCommand('seqlab.selectModel', id);
  });

  after(async () => {
    const tabs = vscode.window.tabGroups.all.flatMap((g) => g.tabs.map((t) => `${t.label}${t.isDirty ? ' (dirty)' : ''}`));
    console.log(`[completions suite] open tabs at the end: ${JSON.stringify(tabs)}`);
    const keys = ['enabled', 'disabledLanguages', 'maxLines', 'minConfidence', 'minTokenProbability', 'minSuggestionProbability', 'debounceMs', 'source'];
    for (const key of keys) await setting(`completions.${key}`, undefined);
    await api.completions.service.snooze(0);
  });

  it('registers a provider that completes the line from the active model', async () => {
    const d = await doc('function add(a, b) {\n  ret');
    const { items } = await complete(d);
    assert.equal(items?.length, 1);
    assert.equal(insertText(items[0]), 'urn a + b;');
    assert.deepEqual(items[0].range, new vscode.Range(d.positionAt(d.getText().length), d.positionAt(d.getText().length)));
    const status = api.completions.service.status();
    assert.equal(status.state, 'on');
    assert.match(api.completions.status.item.text, /^\$\(sparkle\) ngram .* · [\d.]+ ms$/);
  });

  it('beside an open suggest widget, extends its selected item instead of going quiet', async () => {
    const d = await doc('function add(a, b) {\n  re');
    const end = d.positionAt(d.getText().length);
    const widgetRange = new vscode.Range(end.translate(0, -2), end);
    const selected = (text: string, range = widgetRange): vscode.InlineCompletionContext => ({
      triggerKind: vscode.InlineCompletionTriggerKind.Automatic,
      selectedCompletionInfo: { range, text },
    });
    const { items } = await complete(d, end, undefined, selected('return'));
    assert.equal(items?.length, 1);
    // The model continued after "return", the item as VS Code needs it: the selection's text first, over its range.
    assert.equal(insertText(items[0]), 'return a + b;');
    assert.deepEqual(items[0].range, widgetRange);
    // An item that ends elsewhere than the cursor has nothing to extend.
    const elsewhere = new vscode.Range(end.translate(0, -2), end.translate(0, -1));
    assert.equal((await complete(d, end, undefined, selected('return', elsewhere))).items, undefined);
  });

  it('completes untitled documents too', async () => {
    const d = await vscode.workspace.openTextDocument({ content: 'function add(a, b) {\n  ret', language: 'javascript' });
    try {
      assert.equal(d.uri.scheme, 'untitled');
      assert.equal(insertText((await complete(d)).items![0]), 'urn a + b;');
    } finally {
      // An untitled document with text is dirty: revert it so that nothing asks to save it later.
      await vscode.window.showTextDocument(d);
      await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    }
  });

  it('never proposes what is already after the cursor', async () => {
    // The model goes on "1, 2);": the ");" after the cursor stays as it is.
    const d = await doc('const total = add();\n');
    const { items } = await complete(d, new vscode.Position(0, 18));
    assert.equal(insertText(items![0]), '1, 2');
    // The whole suggestion is already there: nothing.
    const d2 = await doc('function add(a, b) {\n  return a + b;\n}\n');
    const { items: none, outcome } = await complete(d2, new vscode.Position(1, 10));
    assert.equal(none, undefined);
    assert.deepEqual(outcome, { kind: 'none', reason: 'empty' });
  });

  it('stops at the end of the line, or after seqlab.completions.maxLines lines', async () => {
    const d = await doc('function add(a, b) {\n  ret');
    assert.equal(insertText((await complete(d)).items![0]), 'urn a + b;');
    try {
      await setting('completions.maxLines', 2);
      assert.equal(insertText((await complete(d)).items![0]), 'urn a + b;\n}');
      await setting('completions.maxLines', 3);
      assert.equal(insertText((await complete(d)).items![0]), 'urn a + b;\n}\nconst total = add(1, 2);');
    } finally {
      await setting('completions.maxLines', undefined);
    }
  });

  it('offers nothing in a disabled language until it is enabled again', async () => {
    const d = await doc('function add(a, b) {\n  ret', 'plaintext');
    const before = api.completions.service.controller.stats.computations;
    assert.deepEqual((await complete(d)).outcome, { kind: 'none', reason: 'language' });
    assert.equal(api.completions.service.controller.stats.computations, before);
    try {
      await setting('completions.disabledLanguages', ['markdown']);
      assert.equal(insertText((await complete(d)).items![0]), 'urn a + b;');
    } finally {
      await setting('completions.disabledLanguages', ['plaintext', 'markdown']);
    }
  });

  it('hides a suggestion whose mean token probability is below seqlab.completions.minConfidence', async () => {
    const d = await doc('const total = a');
    const shown = await complete(d);
    assert.equal(shown.outcome?.kind, 'suggestion');
    const p = shown.outcome?.kind === 'suggestion' ? shown.outcome.meanProbability : NaN;
    try {
      await setting('completions.minConfidence', Math.min(1, p + 0.001));
      const hidden = await complete(await doc('const total = a'));
      assert.equal(hidden.items, undefined);
      assert.equal(hidden.outcome?.kind === 'none' && hidden.outcome.reason, 'low-confidence');
    } finally {
      await setting('completions.minConfidence', undefined);
    }
  });

  it('honours cancellation: before the request, and during the debounce', async () => {
    const d = await doc('function add(a, b) {\n  ret');
    const stats = api.completions.service.controller.stats;
    const cancelled = new vscode.CancellationTokenSource();
    cancelled.cancel();
    const before = stats.computations;
    const first = await complete(d, undefined, cancelled.token);
    assert.equal(first.items, undefined);
    assert.deepEqual(first.outcome, { kind: 'none', reason: 'cancelled' });

    try {
      await setting('completions.debounceMs', 300);
      const source = new vscode.CancellationTokenSource();
      const pending = complete(await doc('const total = ad'), undefined, source.token, automatic);
      setTimeout(() => source.cancel(), 20);
      const second = await pending;
      assert.equal(second.items, undefined);
      assert.deepEqual(second.outcome, { kind: 'none', reason: 'cancelled' });
      assert.equal(stats.computations, before, 'the model was not asked');
    } finally {
      await setting('completions.debounceMs', undefined);
    }
  });

  it('typing the ghost text’s next character continues it without asking the model', async () => {
    const d = await doc('function add(a, b) {\n  ret');
    const first = await complete(d);
    assert.equal(insertText(first.items![0]), 'urn a + b;');
    const stats = api.completions.service.controller.stats;
    const computations = stats.computations;
    await type(d, d.getText().length, 'u');
    const next = await complete(d, undefined, undefined, automatic);
    assert.equal(insertText(next.items![0]), 'rn a + b;');
    assert.equal(next.outcome?.kind === 'suggestion' && next.outcome.source, 'memory');
    assert.equal(stats.computations, computations);
  });

  it('toggles and snoozes, and says so in the status bar', async () => {
    const d = await doc('function add(a, b) {\n  ret');
    assert.equal(await vscode.commands.executeCommand('seqlab.toggleCompletions'), 'off');
    assert.deepEqual((await complete(d)).outcome, { kind: 'none', reason: 'disabled' });
    assert.match(api.completions.status.item.text, /circle-slash/);
    assert.equal(await vscode.commands.executeCommand('seqlab.toggleCompletions'), 'on');

    const until = await vscode.commands.executeCommand<number>('seqlab.snoozeCompletions', 5);
    assert.ok(until > Date.now() + 4 * 60_000 && until <= Date.now() + 5 * 60_000);
    assert.equal(api.completions.service.status().state, 'snoozed');
    assert.deepEqual((await complete(d)).outcome, { kind: 'none', reason: 'snoozed' });
    assert.match(api.completions.status.item.text, /\$\(clock\) Seqlab 5 min/);
    // A click on the item (the toggle command) while snoozed resumes.
    assert.equal(await vscode.commands.executeCommand('seqlab.toggleCompletions'), 'on');
    assert.equal((await complete(d)).outcome?.kind, 'suggestion');
  });

  it('serves an n-gram counted over the workspace in a worker when seqlab.completions.source says so', async () => {
    // A workspace file with a line no other file has (the suite's workspace holds other fixtures).
    const folder = vscode.workspace.workspaceFolders![0].uri.fsPath;
    const fixture = path.join(folder, 'completions-ngram-fixture.js');
    writeFileSync(fixture, 'const zebraQuokka = makeWombat(42);\n'.repeat(20));
    const saved = path.join(folder, 'completions-ngram-saved.js');
    try {
      await setting('completions.minConfidence', 0);
      await setting('completions.minTokenProbability', 0);
      await setting('completions.minSuggestionProbability', 0);
      await setting('completions.source', 'workspaceNgram');
      const engine = await api.completions.service.getEngine();
      assert.equal(engine?.runtime, 'ngram-worker');
      assert.equal(api.completions.service.status().modelName, 'workspace n-gram');
      const { items, outcome } = await complete(await doc('const zebraQ'));
      assert.ok(items, JSON.stringify(outcome));
      assert.equal(insertText(items[0]), 'uokka = makeWombat(42);');

      // It follows saves: a file saved in the editor is counted (in a fresh worker) seconds later.
      writeFileSync(saved, '');
      const d = await vscode.workspace.openTextDocument(vscode.Uri.file(saved));
      const edit = new vscode.WorkspaceEdit();
      edit.insert(d.uri, new vscode.Position(0, 0), 'const yakPangolin = buildNarwhal(7);\n'.repeat(20));
      assert.ok(await vscode.workspace.applyEdit(edit));
      assert.ok(await d.save());
      const probe = await doc('const yakP');
      let got = '';
      for (let tries = 0; tries < 40 && got !== 'angolin = buildNarwhal(7);'; tries++) {
        await new Promise((resolve) => setTimeout(resolve, 250));
        const r = await complete(probe);
        got = r.items?.length ? insertText(r.items[0]) : '';
      }
      assert.equal(got, 'angolin = buildNarwhal(7);');
      assert.equal((await api.completions.service.getEngine())?.runtime, 'ngram-worker');
    } finally {
      rmSync(fixture, { force: true });
      rmSync(saved, { force: true });
      await setting('completions.source', undefined);
      await setting('completions.minConfidence', undefined);
      await setting('completions.minTokenProbability', undefined);
      await setting('completions.minSuggestionProbability', undefined);
    }
    assert.equal((await api.completions.service.getEngine())?.runtime, 'ngram');
  });

  it("the workspace n-gram also counts the open document before the cursor, unsaved edits included", async () => {
    try {
      for (const key of ['minConfidence', 'minTokenProbability', 'minSuggestionProbability']) await setting(`completions.${key}`, 0);
      await setting('completions.source', 'workspaceNgram');
      assert.equal((await api.completions.service.getEngine())?.runtime, 'ngram-worker');
      // An identifier no workspace file has, repeated in an unsaved editor: only the document cache
      // knows it (its characters are all in hello.js: the cache predicts none the n-gram lacks).
      const d = await vscode.workspace.openTextDocument({ language: 'javascript', content: 'let tusmor = exports;\n'.repeat(3) + 'let tusm' });
      const { items, outcome } = await complete(d);
      assert.ok(items, JSON.stringify(outcome));
      assert.equal(insertText(items[0]), 'or = exports;');
      // A document of its own does not see another's counts.
      const other = await vscode.workspace.openTextDocument({ language: 'javascript', content: 'let tusm' });
      const elsewhere = await complete(other);
      assert.notEqual(elsewhere.items?.length ? insertText(elsewhere.items[0]) : '', 'or = exports;');
    } finally {
      for (const key of ['minConfidence', 'minTokenProbability', 'minSuggestionProbability', 'source']) await setting(`completions.${key}`, undefined);
    }
  });

  describe('with a neural model (ONNX Runtime in the extension host)', () => {
    before(async () => {
      const id = await vscode.commands.executeCommand<string>('seqlab.importModel', vscode.Uri.file(await writeNeural()));
      await vscode.commands.executeCommand('seqlab.selectModel', id);
      await setting('completions.minConfidence', 0);
      await setting('completions.minTokenProbability', 0);
      await setting('completions.minSuggestionProbability', 0);
      await setting('completions.maxLines', 1);
    });

    after(async () => {
      for (const key of ['minConfidence', 'minTokenProbability', 'minSuggestionProbability', 'maxLines']) await setting(`completions.${key}`, undefined);
    });

    it('serves the new active model through ONNX Runtime', async () => {
      const engine = await api.completions.service.getEngine();
      assert.equal(engine?.runtime, 'onnx');
      const { outcome } = await complete(await doc('function add(a, b) {\n  ret'));
      assert.equal(outcome?.kind, 'suggestion');
    });

    it("under source 'auto', a model that completed validation worse than the n-gram does not serve, and says why", async () => {
      const worse = { characters: 3000, keystrokeSavings: 0.12, ngramKeystrokeSavings: 0.31, precision: 0.4, ngramPrecision: 0.6 };
      const previous = (await api.models.getActive())?.id;
      const id = await vscode.commands.executeCommand<string>('seqlab.importModel', vscode.Uri.file(await writeNeural({ validationCompletion: worse })));
      try {
        await vscode.commands.executeCommand('seqlab.selectModel', id);
        assert.equal((await api.completions.service.getEngine())?.runtime, 'ngram-worker');
        assert.match(api.completions.service.status().notServing ?? '', /n-gram saved 31% of keystrokes on validation, the model 12%/);
        assert.match(String(api.completions.status.item.tooltip), /Not serving/);
        // Chosen explicitly, it serves.
        await setting('completions.source', 'activeModel');
        assert.equal((await api.completions.service.getEngine())?.runtime, 'onnx');
        assert.equal(api.completions.service.status().notServing, undefined);
      } finally {
        await setting('completions.source', undefined);
        if (previous) await vscode.commands.executeCommand('seqlab.selectModel', previous);
      }
      assert.equal((await api.completions.service.getEngine())?.runtime, 'onnx');
    });

    it("under 'auto', a model whose hybrid saved the most serves mixed with the workspace n-gram; a gate that trusts the counts suggests what they do", async () => {
      const gate = { weights: [60, 0, 0, 0, 0, 0, 0], fittedOn: 1000 };
      const measured = hybridBestMeasurement(gate);
      const previous = (await api.models.getActive())?.id;
      const id = await vscode.commands.executeCommand<string>('seqlab.importModel', vscode.Uri.file(await writeNeural({ validationCompletion: measured })));
      const modelChars = new Set(TRAINING_TEXT);
      // Text repeated within each document: the document cache, which both count, knows how it goes on.
      const prefixes = [
        'const total = add(1, 2);\nconst tot',
        'if (total > 2) {\n  console.log(total);\n}\nif (total > 2) {\n  cons',
        'function add(a, b) {\n  return a + b;\n}\nfunction add(a, b) {\n  ret',
        'let total = 1;\nlet tot',
      ];
      try {
        await vscode.commands.executeCommand('seqlab.selectModel', id);
        const engine = await api.completions.service.getEngine();
        assert.equal(engine?.runtime, 'onnx');
        assert.match(engine?.label ?? '', /\+ workspace n-gram$/);
        assert.equal(api.completions.service.status().notServing, undefined);
        const hybrid: string[] = [];
        for (const prefix of prefixes) {
          const { outcome } = await complete(await doc(prefix));
          hybrid.push(outcome?.kind === 'suggestion' ? outcome.text : '');
        }
        await setting('completions.source', 'workspaceNgram');
        assert.equal((await api.completions.service.getEngine())?.runtime, 'ngram-worker');
        let compared = 0;
        for (const [i, prefix] of prefixes.entries()) {
          const { outcome } = await complete(await doc(prefix));
          const counted = outcome?.kind === 'suggestion' ? outcome.text : '';
          // The hybrid can only name the model's characters; compare where the counts used no other.
          if (![...counted].every((c) => modelChars.has(c))) continue;
          assert.equal(hybrid[i], counted, `after ${JSON.stringify(prefix)}`);
          if (counted) compared++;
        }
        assert.ok(compared >= 2, `${compared} suggestions compared: ${JSON.stringify(hybrid)}`);
      } finally {
        await setting('completions.source', undefined);
        if (previous) await vscode.commands.executeCommand('seqlab.selectModel', previous);
      }
      assert.equal((await api.completions.service.getEngine())?.label.includes('workspace n-gram'), false);
    });

    it('state reused while typing gives what a fresh computation gives', async () => {
      // A fresh document has learned nothing from what was typed: compare with dynamic evaluation off.
      await setting('completions.adaptationRate', 0);
      try {
        await stateReuseMatchesFresh();
      } finally {
        await setting('completions.adaptationRate', undefined);
      }
    });

    async function stateReuseMatchesFresh(): Promise<void> {
      const text = 'function add(a, b) {\n  return a + b;\n}\nconst total = add(1, 2);\n';
      const d = await doc(text.slice(0, 10));
      let compared = 0;
      for (let end = 10; end < 40; end++) {
        const warm = await complete(d);
        // A new document with the same text: a fresh engine, primed from scratch.
        const fresh = await complete(await doc(text.slice(0, end)));
        assert.equal(warm.outcome?.kind, fresh.outcome?.kind, `at ${end}`);
        if (warm.outcome?.kind === 'suggestion' && fresh.outcome?.kind === 'suggestion') {
          if (warm.outcome.source === 'model') {
            assert.equal(warm.outcome.text, fresh.outcome.text, `at ${end}`);
            assert.ok(Math.abs(warm.outcome.meanProbability - fresh.outcome.meanProbability) < 1e-4, `at ${end}`);
            compared++;
          } else {
            assert.ok(fresh.outcome.text.startsWith(warm.outcome.text), `at ${end}`);
          }
        }
        await type(d, end, text[end]);
      }
      assert.ok(compared > 15, `${compared} computed suggestions compared`);
    }
  });
  describe('the editor gets what `seqlab eval` measures', function () {
    this.timeout(10 * 60_000);
    /** The repository (this bundle is out/test/vscode/suite/…). */
    const repo = path.join(__dirname, '..', '..', '..', '..');
    const shipped = path.join(repo, 'models', 'lstm-small-js.seqlab');

    before(async () => {
      const id = await vscode.commands.executeCommand<string>('seqlab.importModel', vscode.Uri.file(shipped));
      await vscode.commands.executeCommand('seqlab.selectModel', id);
      // Every other setting at its default; no debounce (a replay does not wait between keys).
      await setting('completions.debounceMs', 0);
    });

    after(async () => {
      await setting('completions.debounceMs', undefined);
    });

    /** The shipped model's training split (seqlab train's: seed 0, a tenth held out). */
    const shippedSplit = () => splitTexts(readCorpus(path.join(repo, 'sample-workspace')).files, { seed: 0, validationFraction: 0.1 });

    /** The files the shipped model's training held out, the first 1,500 characters. */
    const heldOutText = () => limitCharacters([shippedSplit().validation[0].text], 1500)[0];

    /** `engine`'s replay of `text` in the core controller, as `seqlab eval` runs it. */
    async function evaluate(engine: ServingEngine, text: string) {
      try {
        return await keystrokeSavings(engine, [text]);
      } finally {
        engine.dispose();
      }
    }

    /**
     * A simulated user types `text` into an untitled document, asking the provider at every
     * position and accepting (as Tab does) a suggestion of 2+ characters that is exactly right.
     */
    async function typeInEditor(text: string): Promise<{ keystrokes: number; shown: number; right: number }> {
      const d = await vscode.workspace.openTextDocument({ content: '', language: 'javascript' });
      let keystrokes = 0;
      let shown = 0;
      let right = 0;
      try {
        for (let i = 0; i < text.length; ) {
          const rest = text.slice(i, lineEnd(text, i));
          const { items, outcome } = await complete(d, d.positionAt(i), undefined, automatic);
          const suggestion = items?.length ? insertText(items[0]) : '';
          if (outcome?.kind === 'suggestion' && outcome.source === 'model') {
            shown++;
            if (rest.startsWith(suggestion)) right++;
          }
          const typed = isAcceptable(suggestion, rest) ? suggestion : text.slice(i, i + (text.codePointAt(i)! > 0xffff ? 2 : 1));
          const edit = new vscode.WorkspaceEdit();
          edit.insert(d.uri, d.positionAt(i), typed);
          assert.ok(await vscode.workspace.applyEdit(edit));
          keystrokes++;
          i += typed.length;
        }
        assert.equal(d.getText(), text, 'the document ends exactly as the text');
      } finally {
        await vscode.window.showTextDocument(d);
        await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
      }
      return { keystrokes, shown, right };
    }

    function assertSameSavings(what: string, editor: { keystrokes: number; shown: number; right: number }, evaluated: KeystrokeResult): void {
      const savings = 1 - editor.keystrokes / evaluated.characters;
      console.log(
        `[replay, ${what}] ${evaluated.characters} characters: editor ${(savings * 100).toFixed(1)}% saved, ${editor.shown} shown, ${editor.right} right; ` +
          `eval ${(evaluated.savings * 100).toFixed(1)}% saved, ${evaluated.shownSuggestions} shown, ${evaluated.rightSuggestions} right`,
      );
      assert.ok(evaluated.acceptedSuggestions > 10, `${evaluated.acceptedSuggestions} suggestions accepted under eval`);
      assert.ok(Math.abs(savings - evaluated.savings) <= 0.02, `${what}: editor ${savings} vs eval ${evaluated.savings}`);
    }

    it('typing held-out text through the real provider saves what the evaluation says, within 2 points', async () => {
      const text = heldOutText();
      // The evaluation: the same model file stepped by tfjs in this process, through the core controller.
      await tf.setBackend('cpu');
      const loaded = loadModelFile(readFileSync(shipped));
      assert.equal(loaded.kind, 'neural');
      if (loaded.kind !== 'neural') return;
      const evaluated = await evaluate(neuralServing('eval', 'tfjs', tfjsStepper(loaded.model), loaded.model, loaded.tokenizer, DEFAULT_DECODING), text);
      loaded.model.dispose();

      assert.equal((await api.completions.service.getEngine())?.runtime, 'onnx');
      assertSameSavings('the model alone', await typeInEditor(text), evaluated);
    });

    it('the hybrid, as auto serves it after training, saves in the editor what the evaluation over the same counts says, within 2 points', async () => {
      const text = heldOutText();
      // Counts the test controls: a tenth of the shipped model's training files in a folder of the
      // workspace, and seqlab.include limited to it (the workspace n-gram is counted again).
      const folder = path.join(vscode.workspace.workspaceFolders![0].uri.fsPath, 'hybrid-counts');
      mkdirSync(folder, { recursive: true });
      shippedSplit().train.slice(0, 13).forEach((f, i) => writeFileSync(path.join(folder, `${i}.js`), f.text));
      const counted = readCorpus(folder).files.map((f) => f.text);
      assert.equal(counted.length, 13);
      // A gate of the shape training fits (θ from a 5-minute LSTM's end-of-training fit).
      const gate = { weights: [0.29, 1.81, -2.61, -2.84, 1.34, 0.95, -0.31], fittedOn: 4000 };
      await tf.setBackend('cpu');
      const loaded = loadModelFile(readFileSync(shipped));
      assert.equal(loaded.kind, 'neural');
      if (loaded.kind !== 'neural') return;
      const file = path.join(scratch, 'lstm-small-js-hybrid.seqlab');
      writeFileSync(file, saveModelFile({ model: loaded.model, tokenizer: loaded.tokenizer, metadata: { ...loaded.metadata, validationCompletion: hybridBestMeasurement(gate) } }));
      const ngram = NgramModel.train(counted, { order: WORKSPACE_NGRAM_ORDER });
      const blend = () => ngramBlend(new NgramSide(ngram, loaded.tokenizer, DEFAULT_DOCUMENT_CACHE), gate);
      const evaluated = await evaluate(neuralServing('eval', 'tfjs', tfjsStepper(loaded.model), loaded.model, loaded.tokenizer, DEFAULT_DECODING, blend), text);
      loaded.model.dispose();

      const previous = (await api.models.getActive())?.id;
      try {
        await vscode.workspace.getConfiguration('seqlab').update('include', ['hybrid-counts/**'], vscode.ConfigurationTarget.Global);
        const id = await vscode.commands.executeCommand<string>('seqlab.importModel', vscode.Uri.file(file));
        await vscode.commands.executeCommand('seqlab.selectModel', id);
        const engine = await api.completions.service.getEngine();
        assert.equal(engine?.runtime, 'onnx');
        assert.match(engine?.label ?? '', /\+ workspace n-gram$/);
        assertSameSavings('the hybrid', await typeInEditor(text), evaluated);
      } finally {
        await vscode.workspace.getConfiguration('seqlab').update('include', undefined, vscode.ConfigurationTarget.Global);
        rmSync(folder, { recursive: true, force: true });
        if (previous) await vscode.commands.executeCommand('seqlab.selectModel', previous);
      }
    });
  });
});
