import * as assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  CompletionController,
  DEFAULT_CONTROLLER_SETTINGS,
  PrefixWindows,
  type ControllerSettings,
  type DocumentView,
} from '../../src/core/completion/controller';
import { DEFAULT_DECODING, neuralEngine, ngramEngine, type DecodingOptions, type Suggestion } from '../../src/core/completion/engine';
import { DEFAULT_DOCUMENT_CACHE } from '../../src/core/ngram/documentCache';
import { PerDocumentEngines, type ServingEngine } from '../../src/core/completion/servingEngine';
import { tfjsStepper } from '../../src/core/completion/stepper';
import { fitToSuffix, GhostTextMemory, limitLines, passesConfidence } from '../../src/core/completion/suggestionText';
import { createModel, presetConfig } from '../../src/core/models';
import { NgramModel } from '../../src/core/ngram/ngram';
import { CharTokenizer } from '../../src/core/tokenizers';
import { WorkspaceNgram } from '../../src/node/workspaceNgram';
import { WORKSPACE_NGRAM_ORDER } from '../../src/core/completion/autoServing';
import { assertNoLeak, useTestBackend } from './tfSetup';

/** A document held as a string, the cursor at `offset`. */
function doc(text: string, offset = text.length, extra: Partial<DocumentView> = {}): DocumentView {
  const lineEnd = text.indexOf('\n', offset);
  return {
    key: 'file:///a.js',
    scheme: 'file',
    languageId: 'javascript',
    offset,
    text: (s, e) => text.slice(s, e),
    restOfLine: text.slice(offset, lineEnd < 0 ? text.length : lineEnd),
    ...extra,
  };
}

/** An engine that answers from a table of prefix → suggestion and logs what it was asked. */
class ScriptedEngine implements ServingEngine {
  readonly label = 'scripted';
  readonly runtime = 'ngram';
  readonly asked: string[] = [];
  constructor(
    private readonly answer: (prefix: string) => Suggestion,
    readonly contextChars = 1000,
  ) {}
  async suggest(_key: string, prefix: string): Promise<Suggestion> {
    this.asked.push(prefix);
    return this.answer(prefix);
  }
  forget(): void {}
  dispose(): void {}
}

const SETTINGS: ControllerSettings = { enabled: true, disabledLanguages: ['plaintext'], maxLines: 1, minConfidence: 0.35, debounceMs: 0 };

function controller(engine: ServingEngine | undefined, settings: Partial<ControllerSettings> = {}, paused?: 'disabled' | 'snoozed') {
  return new CompletionController({
    settings: () => ({ ...SETTINGS, ...settings }),
    paused: () => paused,
    engine: async () => engine,
  });
}

const never = { isCancellationRequested: false };

describe('inline completions', () => {
  it("the core defaults (what `seqlab eval` and the benchmark use) are package.json's", () => {
    const manifest = JSON.parse(readFileSync(path.join(__dirname, '..', '..', '..', 'package.json'), 'utf8')) as {
      contributes: { configuration: { properties: Record<string, { default: unknown }> } };
    };
    const d = (key: string) => manifest.contributes.configuration.properties[`seqlab.completions.${key}`].default;
    assert.equal(DEFAULT_DECODING.minProbability, d('minTokenProbability'));
    assert.equal(DEFAULT_DECODING.minSuggestionProbability, d('minSuggestionProbability'));
    assert.equal(DEFAULT_DECODING.temperature, d('temperature'));
    assert.equal(DEFAULT_DECODING.adaptationRate, d('adaptationRate'));
    assert.equal(DEFAULT_DECODING.multiline, (d('maxLines') as number) > 1);
    assert.deepEqual(
      [DEFAULT_CONTROLLER_SETTINGS.minConfidence, DEFAULT_CONTROLLER_SETTINGS.debounceMs, DEFAULT_CONTROLLER_SETTINGS.maxLines],
      [d('minConfidence'), d('debounceMs'), d('maxLines')],
    );
    assert.deepEqual(DEFAULT_CONTROLLER_SETTINGS.disabledLanguages, d('disabledLanguages'));
  });

  describe('suggestion text', () => {
    it('cuts to a number of lines', () => {
      assert.equal(limitLines('a\nb\nc', 1), 'a');
      assert.equal(limitLines('a\nb\nc', 2), 'a\nb');
      assert.equal(limitLines('a\r\nb\r\nc', 2), 'a\r\nb');
      assert.equal(limitLines('a\nb', 5), 'a\nb');
      assert.equal(limitLines('\nb', 1), '');
    });

    it('never proposes what is already after the cursor', () => {
      // Nothing after the cursor (white space counts as nothing): unchanged, all lines.
      assert.equal(fitToSuffix('foo(a, b)', ''), 'foo(a, b)');
      assert.equal(fitToSuffix('x\ny', '   '), 'x\ny');
      // The rest of the line already is the suggestion, or starts with it.
      assert.equal(fitToSuffix(')', ')'), '');
      assert.equal(fitToSuffix(');', ');'), '');
      assert.equal(fitToSuffix(')', ');'), '');
      // The suggestion ends with the start of the rest: that end goes.
      assert.equal(fitToSuffix('a, b)', ')'), 'a, b');
      assert.equal(fitToSuffix('a.b(c))', ')'), 'a.b(c)');
      assert.equal(fitToSuffix('x);', ');'), 'x');
      assert.equal(fitToSuffix('x)', ') {'), 'x');
      // The suggestion runs through the rest and beyond: cut where the rest begins.
      assert.equal(fitToSuffix('x) + 1', ')'), 'x');
      // No overlap: unchanged but one line only, since the rest follows it.
      assert.equal(fitToSuffix('abc\ndef', ')'), 'abc');
      assert.equal(fitToSuffix('foo', 'bar'), 'foo');
    });

    it('gates on the mean token probability', () => {
      assert.equal(passesConfidence(0.35, 0.35), true);
      assert.equal(passesConfidence(0.3499, 0.35), false);
      assert.equal(passesConfidence(0, 0), true);
    });

    it('remembers the ghost text: typing its next characters gives the rest', () => {
      const m = new GhostTextMemory();
      m.remember('d', 'function f', '(a, b) {');
      assert.equal(m.recall('d', 'function f'), '(a, b) {');
      assert.equal(m.recall('d', 'function f('), 'a, b) {');
      assert.equal(m.recall('d', 'function f(a, b) '), '{');
      // Typed it all, typed something else, or edited before: no recall.
      assert.equal(m.recall('d', 'function f(a, b) {'), undefined);
      assert.equal(m.recall('d', 'function f(x'), undefined);
      assert.equal(m.recall('d', 'function g('), undefined);
      assert.equal(m.recall('d', 'function '), undefined);
      assert.equal(m.recall('other', 'function f('), undefined);
      m.forget('d');
      assert.equal(m.recall('d', 'function f('), undefined);
    });
  });

  describe('prefix windows', () => {
    it('keeps a window while typing on, up to its longest', () => {
      const w = new PrefixWindows(100);
      assert.equal(w.start('d', 500, 64), 436);
      assert.equal(w.start('d', 510, 64), 436);
      assert.equal(w.start('d', 536, 64), 436);
      // Past the longest window, or before its start: a fresh window.
      assert.equal(w.start('d', 537, 64), 473);
      assert.equal(w.start('d', 400, 64), 336);
      assert.equal(w.start('e', 10, 64), 0);
    });

    it('shifts with edits before it, drops on edits across its start, ignores edits after it', () => {
      const w = new PrefixWindows();
      assert.equal(w.start('d', 500, 64), 436);
      w.edited('d', 10, 20, 0); // 10 characters deleted above
      assert.equal(w.start('d', 490, 64), 426);
      w.edited('d', 426, 426, 5); // inserted right at the start: the window's text is unchanged
      assert.equal(w.start('d', 495, 64), 431);
      w.edited('d', 600, 610, 3); // after the cursor
      assert.equal(w.start('d', 495, 64), 431);
      w.edited('d', 420, 440, 0); // across the start
      assert.equal(w.start('d', 475, 64), 411);
    });

    it('keeps no empty window: typing at the start of an empty document reaches the engine', () => {
      const w = new PrefixWindows();
      assert.equal(w.start('d', 0, 64), 0);
      w.edited('d', 0, 0, 1); // "a" typed at the cursor
      assert.equal(w.start('d', 1, 64), 0);
      w.edited('d', 1, 1, 1);
      assert.equal(w.start('d', 2, 64), 0);
      // Text deleted back to the window's start empties it: the next window is a fresh one.
      w.edited('d', 0, 2, 0);
      assert.equal(w.start('d', 0, 64), 0);
      w.edited('d', 0, 0, 3);
      assert.equal(w.start('d', 3, 64), 0);
    });

    it('does not start a window inside a surrogate pair', () => {
      const text = 'a'.repeat(10) + '😀' + 'b'.repeat(63);
      const w = new PrefixWindows();
      const start = w.start('d', text.length, 64, (at) => /[\udc00-\udfff]/.test(text[at]));
      assert.equal(start, 12);
    });
  });

  describe('controller', () => {
    it('suggests from the engine over the text before the cursor', async () => {
      const engine = new ScriptedEngine(() => ({ text: 'ello world', meanProbability: 0.9, probability: 0.9 }));
      const c = controller(engine);
      const out = await c.complete(doc('say h'), never);
      assert.deepEqual({ ...out, latencyMs: 0 }, { kind: 'suggestion', text: 'ello world', meanProbability: 0.9, probability: 0.9, source: 'model', latencyMs: 0 });
      assert.deepEqual(engine.asked, ['say h']);
    });

    it('typing the ghost text’s next character shows the rest without asking the model', async () => {
      const engine = new ScriptedEngine(() => ({ text: 'ello world', meanProbability: 0.9, probability: 0.9 }));
      const c = controller(engine, { debounceMs: 1000 }); // a debounce would make this slow: none applies
      await c.complete(doc('say h'), never, { explicit: true });
      const out = await c.complete(doc('say he'), never);
      assert.equal(out.kind === 'suggestion' && out.text, 'llo world');
      assert.equal(out.kind === 'suggestion' && out.source, 'memory');
      const again = await c.complete(doc('say hell'), never);
      assert.equal(again.kind === 'suggestion' && again.text, 'o world');
      assert.equal(engine.asked.length, 1);
      assert.deepEqual({ ...c.stats }, { requests: 3, computations: 1, memoryHits: 2, cancelled: 0 });
    });

    it('asks again after a character that leaves the ghost text', async () => {
      const engine = new ScriptedEngine((p) => ({ text: p.endsWith('x') ? 'yz' : 'ello', meanProbability: 0.9, probability: 0.9 }));
      const c = controller(engine);
      await c.complete(doc('say h'), never);
      const out = await c.complete(doc('say hx'), never);
      assert.equal(out.kind === 'suggestion' && out.text, 'yz');
      assert.deepEqual(engine.asked, ['say h', 'say hx']);
    });

    it('hides suggestions below the confidence threshold', async () => {
      const engine = new ScriptedEngine(() => ({ text: 'maybe', meanProbability: 0.2, probability: 0.2 }));
      assert.deepEqual(await controller(engine).complete(doc('x'), never), { kind: 'none', reason: 'low-confidence', detail: 'maybe' });
      const shown = await controller(engine, { minConfidence: 0.2 }).complete(doc('x'), never);
      assert.equal(shown.kind, 'suggestion');
    });

    it('stops at the end of the line, or after maxLines', async () => {
      const engine = new ScriptedEngine(() => ({ text: 'a\n  b\n  c\nd', meanProbability: 0.9, probability: 0.9 }));
      const one = await controller(engine).complete(doc('x'), never);
      assert.equal(one.kind === 'suggestion' && one.text, 'a');
      const three = await controller(engine, { maxLines: 3 }).complete(doc('x'), never);
      assert.equal(three.kind === 'suggestion' && three.text, 'a\n  b\n  c');
    });

    it('is aware of the text after the cursor', async () => {
      const engine = new ScriptedEngine(() => ({ text: 'a, b)', meanProbability: 0.9, probability: 0.9 }));
      const out = await controller(engine).complete(doc('f()', 2), never);
      assert.equal(out.kind === 'suggestion' && out.text, 'a, b');
      const nothing = await controller(new ScriptedEngine(() => ({ text: ')', meanProbability: 0.9, probability: 0.9 }))).complete(doc('f(a)', 3), never);
      assert.deepEqual(nothing, { kind: 'none', reason: 'empty' });
    });

    it('offers nothing when off, snoozed, in a disabled language or another scheme', async () => {
      const engine = new ScriptedEngine(() => ({ text: 'x', meanProbability: 1, probability: 1 }));
      assert.deepEqual(await controller(engine, {}, 'disabled').complete(doc('a'), never), { kind: 'none', reason: 'disabled' });
      assert.deepEqual(await controller(engine, {}, 'snoozed').complete(doc('a'), never), { kind: 'none', reason: 'snoozed' });
      assert.deepEqual(await controller(engine).complete(doc('a', 1, { languageId: 'plaintext' }), never), { kind: 'none', reason: 'language' });
      assert.deepEqual(await controller(engine).complete(doc('a', 1, { scheme: 'git' }), never), { kind: 'none', reason: 'scheme' });
      assert.deepEqual(await controller(undefined).complete(doc('a'), never), { kind: 'none', reason: 'no-engine' });
      assert.equal(engine.asked.length, 0);
    });

    it('honours cancellation during the debounce and during the computation', async () => {
      const engine = new ScriptedEngine(() => ({ text: 'later', meanProbability: 1, probability: 1 }));
      const token = { isCancellationRequested: false };
      const c = new CompletionController({
        settings: () => ({ ...SETTINGS, debounceMs: 5 }),
        paused: () => undefined,
        engine: async () => engine,
        sleep: async () => {
          token.isCancellationRequested = true;
        },
      });
      assert.deepEqual(await c.complete(doc('ab'), token), { kind: 'none', reason: 'cancelled' });
      assert.equal(engine.asked.length, 0, 'cancelled in the debounce: the model is not asked');

      const slow: ServingEngine = {
        label: 'slow',
        runtime: 'ngram',
        contextChars: 100,
        suggest: async () => {
          token2.isCancellationRequested = true;
          return { text: 'late', meanProbability: 1, probability: 1 };
        },
        forget() {},
        dispose() {},
      };
      const token2 = { isCancellationRequested: false };
      const c2 = controller(slow);
      assert.deepEqual(await c2.complete(doc('ab'), token2), { kind: 'none', reason: 'cancelled' });
      // The cancelled suggestion was never shown, so it is not continued from memory.
      const again = await c2.complete(doc('abl'), never);
      assert.equal(again.kind === 'suggestion' && again.source, 'model');
      assert.equal(c2.stats.cancelled, 1);
    });

    it('reports engine errors as no suggestion', async () => {
      const broken = new ScriptedEngine(() => {
        throw new Error('boom');
      });
      assert.deepEqual(await controller(broken).complete(doc('a'), never), { kind: 'none', reason: 'error', detail: 'boom' });
    });
  });

  describe('state reuse', () => {
    before(useTestBackend);

    it('typing one more character gives exactly what a fresh computation gives', async () => {
      const text = 'function add(a, b) {\n  return a + b;\n}\nfunction sub(a, b) {\n  return a - b;\n}\n'.repeat(2);
      const tokenizer = CharTokenizer.build([text]);
      const model = createModel(presetConfig('lstm', 'nano', tokenizer.vocabSize, { seed: 7 }));
      try {
        await assertNoLeak(async () => {
          // A fresh engine has learned nothing from the document: compare with dynamic evaluation off.
          const make = () => new PerDocumentEngines('lstm', 'tfjs', 256, () => neuralEngine(tfjsStepper(model), tokenizer, { ...DEFAULT_DECODING, maxTokens: 12, minProbability: 0, minSuggestionProbability: 0, adaptationRate: 0 }));
          const typing = make();
          let compared = 0;
          for (let end = 30; end < 90; end++) {
            const fresh = make();
            const a = await typing.suggest('doc', text.slice(0, end), Infinity);
            const b = await fresh.suggest('doc', text.slice(0, end), Infinity);
            fresh.dispose();
            assert.deepEqual(a, b, `at ${end}`);
            if (a.text) compared++;
          }
          assert.ok(compared > 30, `${compared} non-empty suggestions compared`);
          typing.dispose();
        });
      } finally {
        model.dispose();
      }
    });

    it('keeps one engine per document, evicting the least recently used', () => {
      const ngram = NgramModel.train(['abcabc'], { order: 3 });
      let created = 0;
      let disposed = 0;
      const engines = new PerDocumentEngines('n', 'ngram', 8, () => {
        created++;
        const e = ngramEngine(ngram);
        return { suggest: e.suggest, dispose: () => disposed++ };
      }, 2);
      engines.engineFor('a');
      engines.engineFor('b');
      engines.engineFor('a');
      engines.engineFor('c'); // evicts b
      assert.deepEqual([created, disposed], [3, 1]);
      engines.engineFor('a');
      assert.equal(created, 3);
      engines.engineFor('b');
      assert.deepEqual([created, disposed], [4, 2]);
      engines.dispose();
      assert.equal(disposed, 4);
    });
  });

  describe('workspace n-gram in a worker', () => {
    const decoding: DecodingOptions = { ...DEFAULT_DECODING, maxTokens: 40, minProbability: 0, minSuggestionProbability: 0 };

    it('counts the files it is given (skipping secrets) and suggests what the same model does in-process', async function () {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'seqlab-ngram-'));
      const a = path.join(dir, 'a.js');
      const b = path.join(dir, 'b.js');
      const secret = path.join(dir, '.env');
      writeFileSync(a, 'const answer = computeTheAnswer();\n'.repeat(20));
      writeFileSync(b, 'function computeTheAnswer() { return 42; }\n'.repeat(20));
      writeFileSync(secret, 'API_KEY=const answer = computeTheSecret\n'.repeat(50));
      const worker = WorkspaceNgram.start({
        files: [a, b, secret, path.join(dir, 'missing.js')].map((absolute) => ({ absolute, relative: path.basename(absolute) })),
        decoding,
        workerScript: path.join(__dirname, '..', '..', '..', 'dist', 'ngramWorker.js'),
      });
      try {
        const built = await worker.built;
        assert.deepEqual({ files: built.files, skipped: built.skipped }, { files: 2, skipped: 2 });
        // The same model in-process, with a document cache per document as the worker keeps.
        const counted = NgramModel.train(['const answer = computeTheAnswer();\n'.repeat(20), 'function computeTheAnswer() { return 42; }\n'.repeat(20)], {
          order: WORKSPACE_NGRAM_ORDER,
        });
        const local = new Map<string, ReturnType<typeof ngramEngine>>();
        const localSuggest = (key: string, prefix: string) => {
          if (!local.has(key)) local.set(key, ngramEngine(counted, decoding, DEFAULT_DOCUMENT_CACHE));
          return local.get(key)!.suggest(prefix);
        };
        const repeated = 'let nomTrap = 42;\n'.repeat(3) + 'let nomT';
        for (const [key, prefix] of [['k', 'const answer = comp'], ['k', 'function compute'], ['k', 'x'], ['d', repeated], ['k', 'let nomT']]) {
          assert.deepEqual(await worker.suggest(key, prefix, Infinity), await localSuggest(key, prefix), prefix);
        }
        // Each document's cache is its own: what document d repeats completes there only.
        assert.equal((await worker.suggest('d', repeated, Infinity)).text, 'rap = 42;');
        assert.notEqual((await worker.suggest('k', 'let nomT', Infinity)).text, 'rap = 42;');
      } finally {
        worker.dispose();
      }
      await assert.rejects(worker.suggest('k', 'a', 10), /disposed/);
    });
  });
});
