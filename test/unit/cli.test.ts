import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parseArgs, UsageError } from '../../src/cli/args';
import { renderBar, Progress } from '../../src/cli/progressBar';
import { COMMANDS, main } from '../../src/cli/seqlab';
import { describeModelFile, loadModelFile } from '../../src/core/modelFile';
import { ASCII_CHARS, CharTokenizer } from '../../src/core/tokenizers';
import { BASE_MODEL_FILE } from '../../src/core/training/baseModel';
import { useTestBackend } from './tfSetup';

const CLI = path.resolve(__dirname, '../../../dist/cli.js');

/** Runs the built CLI; stdout, stderr and the exit status. */
function cli(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 50_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Runs `main` in this process with captured output. */
async function runMain(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, {
    stdout: { write: (t: string) => (stdout += t) },
    stderr: { write: (t: string) => (stderr += t) },
  });
  return { code, stdout, stderr };
}

/** The last line of stdout, parsed. */
function lastJson(stdout: string): Record<string, unknown> {
  const lines = stdout.trimEnd().split('\n');
  return JSON.parse(lines[lines.length - 1]) as Record<string, unknown>;
}

const spec = (name: string) => COMMANDS.find((c) => c.spec.name === name)!.spec;

describe('seqlab CLI', () => {
  describe('argument parsing', () => {
    const good: Array<[string, string[], string[], Record<string, string | number | boolean>]> = [
      ['train', ['src', '--out', 'm.seqlab'], ['src'], { out: 'm.seqlab' }],
      [
        'train',
        ['src', '--arch=gru', '--tokenizer', 'word', '--preset', 'nano', '--minutes', '0.5', '--steps', '10', '--out', 'x', '--seed', '0', '--backend', 'cpu', '--json'],
        ['src'],
        { arch: 'gru', tokenizer: 'word', preset: 'nano', minutes: 0.5, steps: 10, out: 'x', seed: 0, backend: 'cpu', json: true },
      ],
      ['eval', ['m', 'a.js', 'b.js', '--limit-chars', '1e3'], ['m', 'a.js', 'b.js'], { 'limit-chars': 1000 }],
      ['complete', ['m', '--prefix', '-x', '--temperature', '0'], ['m'], { prefix: '-x', temperature: 0 }],
      ['complete', ['m', '--prefix=a=b', '--max-tokens', '3'], ['m'], { prefix: 'a=b', 'max-tokens': 3 }],
      ['complete', ['m', '--prefix', ''], ['m'], { prefix: '' }],
      ['complete', ['m', '--prefix=--json', '--multiline'], ['m'], { prefix: '--json', multiline: true }],
      ['eval', ['m', '-', '--limit-chars', '5'], ['m', '-'], { 'limit-chars': 5 }],
      ['eval', ['m', '--', '--json', '-h'], ['m', '--json', '-h'], {}],
    ];
    for (const [command, argv, positionals, options] of good) {
      it(`accepts: ${command} ${argv.join(' ')}`, () => {
        const parsed = parseArgs(spec(command), argv);
        assert.equal(parsed.help, false);
        assert.deepEqual(parsed.positionals, positionals);
        assert.deepEqual(Object.fromEntries(parsed.options), options);
      });
    }

    const bad: Array<[string, string[], string]> = [
      ['train', ['--out', 'm'], 'missing <dir>'],
      ['train', ['src'], '--out is required'],
      ['train', ['src', '--out'], '--out needs a value'],
      ['train', ['src', '--out', '--json'], '--out needs a value'],
      ['train', ['src', '--out', '--', 'x'], '--out needs a value'],
      ['train', ['src', '--out', 'm', '--no-json'], 'unknown option --no-json'],
      ['train', ['src', '--out', 'm', '-jv'], 'unknown option -j'],
      ['train', ['src', '--out', 'm', '--arch', 'cnn'], '--arch must be one of lstm, gru, rnn, transformer, ngram; got "cnn"'],
      ['train', ['src', '--out', 'm', '--minutes', '0'], '--minutes must be a number > 0 and <= 10080; got "0"'],
      ['train', ['src', '--out', 'm', '--minutes', 'soon'], '--minutes must be a number > 0 and <= 10080; got "soon"'],
      ['train', ['src', '--out', 'm', '--steps', '2.5'], '--steps must be an integer >= 1 and <= 1000000000; got "2.5"'],
      ['train', ['src', '--out', 'm', '--steps', '0x10'], '--steps must be an integer >= 1 and <= 1000000000; got "0x10"'],
      ['train', ['src', '--out', 'm', '--seed', '-1'], '--seed must be an integer >= 0 and <= 4294967295; got "-1"'],
      ['train', ['src', '--out', 'm', '--steps', '5', '--steps', '6'], '--steps given more than once'],
      ['train', ['src', '--out', 'm', '--json=yes'], '--json takes no value'],
      ['train', ['src', 'other', '--out', 'm'], 'unexpected argument "other"'],
      ['complete', ['m', '--prefix', 'x', '--', '--json'], 'unexpected argument "--json"'],
      ['train', ['src', '--out', 'm', '--epochs', '3'], 'unknown option --epochs'],
      ['train', ['src', '--out', 'm', '-v'], 'unknown option -v'],
      ['eval', ['m'], 'missing <files>'],
      ['eval', ['m', 'a.js', '--limit-chars', '0'], '--limit-chars must be an integer >= 1; got "0"'],
      ['complete', ['m'], '--prefix is required'],
      ['complete', ['m', '--prefix', 'x', '--temperature', '-1'], '--temperature must be a number >= 0 and <= 100; got "-1"'],
      ['complete', ['m', '--prefix', 'x', '--max-tokens', ''], '--max-tokens must be an integer >= 1 and <= 100000; got ""'],
    ];
    for (const [command, argv, message] of bad) {
      it(`rejects: ${command} ${argv.join(' ')}`, () => {
        assert.throws(() => parseArgs(spec(command), argv), (e: unknown) => e instanceof UsageError && e.message === message);
      });
    }

    it('--help and -h win wherever they are, but not as a value or after --', () => {
      assert.equal(parseArgs(spec('train'), ['--bogus', '--help']).help, true);
      assert.equal(parseArgs(spec('eval'), ['-h']).help, true);
      assert.equal(parseArgs(spec('complete'), ['m', '--prefix', '-h']).help, false);
      assert.equal(parseArgs(spec('complete'), ['m', '--prefix', '--help']).help, true);
      // --base has no value, so --out is the next option, and -h its value.
      assert.throws(() => parseArgs(spec('train'), ['src', '--base', '--out', '-h']), /^UsageError: --base needs a value$/);
      assert.equal(parseArgs(spec('eval'), ['m', 'a.js', '--', '-h']).help, false);
    });

    it('reports usage errors with exit code 2, the command name and where to get help', async () => {
      assert.deepEqual(await runMain('train', 'src', '--out', 'm', '--steps', 'abc'), {
        code: 2,
        stdout: '',
        stderr: 'seqlab train: --steps must be an integer >= 1 and <= 1000000000; got "abc"\nRun "seqlab train --help" for usage.\n',
      });
      assert.deepEqual(await runMain('frobnicate'), {
        code: 2,
        stdout: '',
        stderr: 'seqlab: unknown command "frobnicate" (expected train, eval, complete, export-onnx)\nRun "seqlab --help" for usage.\n',
      });
      const missing = path.join(tmpdir(), 'seqlab-no-such-folder');
      assert.deepEqual(await runMain('train', missing, '--out', 'm'), {
        code: 2,
        stdout: '',
        stderr: `seqlab train: folder "${missing}" does not exist\nRun "seqlab train --help" for usage.\n`,
      });
      assert.deepEqual(await runMain('train', '.', '--arch', 'ngram', '--tokenizer', 'word', '--out', 'm'), {
        code: 2,
        stdout: '',
        stderr:
          'seqlab train: --tokenizer word does not apply to --arch ngram (the n-gram model reads characters)\n' +
          'Run "seqlab train --help" for usage.\n',
      });
      const noArgs = await runMain();
      assert.equal(noArgs.code, 2);
      assert.match(noArgs.stderr, /^Usage: seqlab <command>/);
    });

    it('help goes to stdout with exit code 0', async () => {
      const top = await runMain('--help');
      assert.equal(top.code, 0);
      assert.match(top.stdout, /^Usage: seqlab <command> \[options\]\n/);
      assert.match(top.stdout, /\n {2}train {8}Train a model on a folder of text files\.\n/);
      const train = await runMain('train', '--help');
      assert.equal(train.code, 0);
      assert.match(train.stdout, /^Usage: seqlab train <dir> \[--arch lstm\|gru\|rnn\|transformer\|ngram\] /);
      assert.match(train.stdout, /--out FILE +Model file to write \(\.seqlab\)\. \(required\)\n/);
    });
  });

  describe('progress', () => {
    it('renders a bar cut to the terminal width', () => {
      assert.equal(renderBar(0.5, 'step 3', 80, 10), '[#####.....]  50% step 3');
      assert.equal(renderBar(1.5, 'x', 80, 4), '[####] 100% x');
      assert.equal(renderBar(0.25, 'a long label', 12, 4), '[#...]  25% ');
    });

    it('writes one plain line per tenth of the work when not on a terminal', () => {
      let text = '';
      const progress = new Progress({ write: (t: string) => (text += t), isTTY: false });
      for (let i = 1; i <= 20; i++) progress.update(i / 20, `item ${i}`);
      progress.log('done');
      assert.equal(
        text,
        ['10% item 2', '20% item 4', '30% item 6', '40% item 8', '50% item 10', '60% item 12', '70% item 14', '80% item 16', '90% item 18', '100% item 20', 'done', ''].join('\n'),
      );
    });
  });

  describe('end to end (built dist/cli.js)', function () {
    this.timeout(60_000);
    let dir: string;
    let corpusDir: string;

    before(async () => {
      assert.ok(existsSync(CLI), `${CLI} is missing: run node scripts/build.mjs first`);
      await useTestBackend();
      dir = mkdtempSync(path.join(tmpdir(), 'seqlab-cli-'));
      corpusDir = path.join(dir, 'corpus');
      mkdirSync(path.join(corpusDir, 'node_modules'), { recursive: true });
      for (let i = 0; i < 6; i++) writeFileSync(path.join(corpusDir, `hello${i}.txt`), 'hello world\n'.repeat(40));
      writeFileSync(path.join(corpusDir, 'node_modules', 'skip.js'), 'skipped\n');
      writeFileSync(path.join(corpusDir, 'blob.bin'), new Uint8Array([1, 0, 2]));
      writeFileSync(path.join(corpusDir, '.env'), 'SECRET=1\n');
      writeFileSync(path.join(dir, 'held-out.txt'), 'hello world\nhello world\n');
    });

    after(() => rmSync(dir, { recursive: true, force: true }));

    it('train --arch ngram --json: one JSON line, a loadable model file with corpus metadata', () => {
      const out = path.join(dir, 'ngram.seqlab');
      const r = cli('train', corpusDir, '--arch', 'ngram', '--preset', 'nano', '--out', out, '--json');
      assert.equal(r.status, 0, r.stderr);
      const json = lastJson(r.stdout);
      assert.deepEqual(Object.keys(json), ['arch', 'params', 'steps', 'tokensPerSecond', 'trainLoss', 'valBitsPerChar', 'backend']);
      assert.equal(json.arch, 'ngram');
      assert.equal(json.params, 0);
      assert.equal(json.steps, 0);
      assert.equal(json.backend, 'none');
      for (const key of ['tokensPerSecond', 'trainLoss', 'valBitsPerChar']) assert.equal(typeof json[key], 'number', key);
      assert.ok((json.valBitsPerChar as number) > 0 && (json.valBitsPerChar as number) < 1);
      assert.match(r.stderr, /corpus: 6 files, 2,880 characters; excluded 1 secret, 1 binary, 1 ignored-directory/);

      const loaded = loadModelFile(readFileSync(out));
      assert.equal(loaded.kind, 'ngram');
      assert.equal(loaded.kind === 'ngram' && loaded.ngram.order, 4);
      const corpus = loaded.metadata.corpus as unknown as Record<string, unknown>;
      assert.equal(corpus.files, 6);
      assert.equal(corpus.characters, 2880);
      assert.deepEqual(corpus.excluded, { 'ignored-directory': 1, binary: 1, secret: 1 });
      assert.equal(corpus.trainDocuments, 5);
      assert.equal(corpus.validationDocuments, 1);
      assert.equal(corpus.splitBy, 'file');
    });

    it('complete prints the n-gram model’s line, or more with --multiline', () => {
      const model = path.join(dir, 'ngram.seqlab');
      assert.deepEqual(cli('complete', model, '--prefix', 'hello w'), { status: 0, stdout: 'orld\n', stderr: '' });
      assert.equal(cli('complete', model, '--prefix', 'hello w', '--multiline', '--max-tokens', '12').stdout, 'orld\nhello w\n');
      const json = lastJson(cli('complete', model, '--prefix', 'hel', '--json').stdout);
      assert.deepEqual(Object.keys(json), ['completion', 'meanProbability', 'probability']);
      assert.equal(json.completion, 'lo world');
      assert.ok((json.meanProbability as number) > 0.5 && (json.meanProbability as number) <= 1);
      assert.ok((json.probability as number) > 0 && (json.probability as number) <= (json.meanProbability as number));
    });

    it('eval of the n-gram model: every character predicted, each line one accepted suggestion', () => {
      const r = cli('eval', path.join(dir, 'ngram.seqlab'), path.join(dir, 'held-out.txt'), '--json');
      assert.equal(r.status, 0, r.stderr);
      const json = lastJson(r.stdout);
      assert.deepEqual(Object.keys(json), [
        'bitsPerChar',
        'top1Accuracy',
        'keystrokeSavings',
        'precision',
        'acceptedCharsPerShown',
        'shownSuggestions',
        'acceptedSuggestions',
        'latencyMs',
        'characters',
        'engine',
      ]);
      assert.equal(json.top1Accuracy, 1);
      // "hello world" accepted, "\n" typed, twice: 4 keystrokes for 24 characters; the two
      // suggestions shown were both right.
      assert.equal(json.keystrokeSavings, 1 - 4 / 24);
      assert.equal(json.shownSuggestions, 2);
      assert.equal(json.acceptedSuggestions, 2);
      assert.equal(json.precision, 1);
      assert.equal(json.acceptedCharsPerShown, 11);
      assert.equal(json.characters, 24);
      assert.equal(typeof json.bitsPerChar, 'number');
      const latency = json.latencyMs as { p50: number; p99: number };
      assert.deepEqual(Object.keys(latency), ['p50', 'p99']);
      assert.ok(latency.p50 >= 0 && latency.p50 <= latency.p99);
    });

    it('train an LSTM nano for 5 steps, then eval and complete with it', () => {
      const out = path.join(dir, 'lstm.seqlab');
      const r = cli('train', corpusDir, '--arch', 'lstm', '--preset', 'nano', '--steps', '5', '--out', out, '--json');
      assert.equal(r.status, 0, r.stderr);
      const json = lastJson(r.stdout);
      assert.deepEqual(Object.keys(json), ['arch', 'params', 'steps', 'tokensPerSecond', 'trainLoss', 'valBitsPerChar', 'backend', 'validationCompletion']);
      assert.equal(json.arch, 'lstm');
      // The model was measured against the training-only n-gram on validation (keystroke savings).
      const measured = json.validationCompletion as { keystrokeSavings: number; ngramKeystrokeSavings: number; characters: number; hybrid: { keystrokeSavings: number; gate: { weights: number[] } } };
      assert.ok(measured.characters > 0 && measured.keystrokeSavings >= 0 && measured.ngramKeystrokeSavings >= 0, JSON.stringify(measured));
      // A character model is measured mixed with the n-gram too, and its gate is kept.
      assert.ok(measured.hybrid.keystrokeSavings >= 0 && measured.hybrid.gate.weights.length === 7, JSON.stringify(measured.hybrid));
      assert.equal(json.steps, 5);
      assert.equal(json.backend, 'wasm');
      for (const key of ['tokensPerSecond', 'trainLoss', 'valBitsPerChar']) {
        assert.ok(typeof json[key] === 'number' && Number.isFinite(json[key]) && (json[key] as number) > 0, key);
      }
      const bytes = readFileSync(out);
      const summary = describeModelFile(bytes);
      assert.equal(json.params, summary.parameters);
      assert.equal(summary.config?.arch, 'lstm');
      assert.equal(summary.metadata.training?.steps, 5);
      assert.equal(summary.metadata.backend, 'wasm');
      const loaded = loadModelFile(bytes);
      assert.equal(loaded.kind, 'neural');
      if (loaded.kind === 'neural') loaded.model.dispose();

      const e = cli('eval', out, path.join(dir, 'held-out.txt'), '--json', '--limit-chars', '20');
      assert.equal(e.status, 0, e.stderr);
      const evalJson = lastJson(e.stdout);
      assert.deepEqual(Object.keys(evalJson), [
        'bitsPerChar',
        'top1Accuracy',
        'keystrokeSavings',
        'precision',
        'acceptedCharsPerShown',
        'shownSuggestions',
        'acceptedSuggestions',
        'latencyMs',
        'characters',
        'engine',
      ]);
      assert.equal(evalJson.characters, 20);
      assert.ok((evalJson.top1Accuracy as number) >= 0 && (evalJson.top1Accuracy as number) <= 1);
      assert.ok((evalJson.keystrokeSavings as number) >= 0 && (evalJson.keystrokeSavings as number) < 1);
      assert.equal(evalJson.engine, 'model');

      // --counts: served as the hybrid over an n-gram of that folder.
      const h = cli('eval', out, path.join(dir, 'held-out.txt'), '--json', '--limit-chars', '20', '--counts', corpusDir);
      assert.equal(h.status, 0, h.stderr);
      const hybridJson = lastJson(h.stdout);
      assert.equal(hybridJson.engine, 'hybrid');
      assert.equal(hybridJson.characters, 20);
      assert.ok(Number.isFinite(hybridJson.bitsPerChar) && (hybridJson.bitsPerChar as number) > 0);
      const n = cli('eval', path.join(dir, 'ngram.seqlab'), path.join(dir, 'held-out.txt'), '--counts', corpusDir);
      assert.equal(n.status, 1);
      assert.match(n.stderr, /has no hybrid gate/);

      const c = cli('complete', out, '--prefix', 'hello', '--max-tokens', '5');
      assert.equal(c.status, 0, c.stderr);
      assert.ok(c.stdout.endsWith('\n') && c.stdout.length <= 6 && !c.stdout.slice(0, -1).includes('\n'));
      // complete --counts: the same hybrid as eval's; a model without a gate is refused.
      const ch = cli('complete', out, '--prefix', 'hello', '--max-tokens', '5', '--counts', corpusDir, '--json');
      assert.equal(ch.status, 0, ch.stderr);
      const hybridCompletion = lastJson(ch.stdout);
      assert.ok(typeof hybridCompletion.completion === 'string' && (hybridCompletion.completion as string).length <= 5, JSON.stringify(hybridCompletion));
      const cn = cli('complete', path.join(dir, 'ngram.seqlab'), '--prefix', 'x', '--counts', corpusDir);
      assert.equal(cn.status, 1);
      assert.match(cn.stderr, /has no hybrid gate/);
    });

    it('train --vocab ascii makes a base; --base fine-tunes it: its weights, tokenizer and sizes, recorded as metadata.base', () => {
      const base = path.join(dir, 'base.seqlab');
      const b = cli('train', corpusDir, '--arch', 'lstm', '--preset', 'nano', '--vocab', 'ascii', '--steps', '40', '--out', base, '--json');
      assert.equal(b.status, 0, b.stderr);
      const baseBits = lastJson(b.stdout).valBitsPerChar as number;
      const baseFile = describeModelFile(readFileSync(base));
      assert.equal(baseFile.config?.vocabSize, ASCII_CHARS.length + 1);

      const tuned = path.join(dir, 'tuned.seqlab');
      const t = cli('train', corpusDir, '--base', base, '--steps', '1', '--out', tuned, '--json');
      assert.equal(t.status, 0, t.stderr);
      assert.match(t.stderr, /lstm nano fine-tuned from base\.seqlab/);
      const scratch = cli('train', corpusDir, '--arch', 'lstm', '--preset', 'nano', '--vocab', 'ascii', '--steps', '1', '--out', path.join(dir, 'scratch.seqlab'), '--json');
      assert.equal(scratch.status, 0, scratch.stderr);
      // One step from the base stays near the base; one step from random weights is near log2(98).
      const tunedBits = lastJson(t.stdout).valBitsPerChar as number;
      const scratchBits = lastJson(scratch.stdout).valBitsPerChar as number;
      assert.ok(tunedBits < baseBits + 0.5 && tunedBits < scratchBits - 1, `base ${baseBits}, tuned ${tunedBits}, scratch ${scratchBits}`);
      const tunedFile = describeModelFile(readFileSync(tuned));
      assert.deepEqual(tunedFile.config, baseFile.config);
      assert.equal(tunedFile.metadata.preset, 'nano');
      const record = tunedFile.metadata.base as { name: string; steps: number; characters: number };
      assert.deepEqual([record.name, record.steps, record.characters], ['base.seqlab', 40, 2880]);
      const loaded = loadModelFile(readFileSync(tuned));
      assert.ok(loaded.kind === 'neural');
      assert.deepEqual(loaded.tokenizer.toJSON(), CharTokenizer.ascii().toJSON());
      loaded.model.dispose();

      const clash = cli('train', corpusDir, '--base', base, '--arch', 'gru', '--out', path.join(dir, 'x.seqlab'));
      assert.equal(clash.status, 2);
      assert.match(clash.stderr, /--base fixes the model: leave out --arch/);
      const notNeural = cli('train', corpusDir, '--base', path.join(dir, 'ngram.seqlab'), '--steps', '1', '--out', path.join(dir, 'x.seqlab'));
      assert.equal(notNeural.status, 1);
      assert.match(notNeural.stderr, /is an n-gram model; a base must be a neural model/);
      assert.equal(existsSync(path.join(dir, 'x.seqlab')), false);
    });

    it('train with the defaults (an LSTM small on characters) starts from the shipped base, as the palette does; --base none from random weights', () => {
      const tuned = path.join(dir, 'default.seqlab');
      const t = cli('train', corpusDir, '--steps', '1', '--out', tuned);
      assert.equal(t.status, 0, t.stderr);
      assert.equal((describeModelFile(readFileSync(tuned)).metadata.base as { name?: string } | undefined)?.name, BASE_MODEL_FILE);
      const scratch = path.join(dir, 'none.seqlab');
      const s = cli('train', corpusDir, '--steps', '1', '--base', 'none', '--out', scratch);
      assert.equal(s.status, 0, s.stderr);
      const file = describeModelFile(readFileSync(scratch));
      assert.equal(file.metadata.base, undefined);
      assert.notEqual(file.config?.vocabSize, ASCII_CHARS.length + 1, "the corpus's own characters");
    });

    it('a bad flag: exit code 2, a message and no stack trace', () => {
      const r = cli('eval', 'model.seqlab', 'a.js', '--limit-chars', 'many');
      assert.deepEqual(r, {
        status: 2,
        stdout: '',
        stderr: 'seqlab eval: --limit-chars must be an integer >= 1; got "many"\nRun "seqlab eval --help" for usage.\n',
      });
    });

    it('a file that is not a model: exit code 1 and a message', () => {
      const r = cli('complete', path.join(dir, 'held-out.txt'), '--prefix', 'x');
      assert.equal(r.status, 1);
      assert.match(r.stderr, /^seqlab complete: cannot load model ".*held-out\.txt" \[not-a-model-file\]: .+\n$/);
      assert.doesNotMatch(r.stderr, /\n\s+at /);
    });
  });
});
