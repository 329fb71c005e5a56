// SIGKILL at random points of `seqlab train --out` and `seqlab export-onnx` writing onto an
// existing good file: the previous file must be intact every time (or, when the kill came after
// the rename, the new file complete). Half the kills fall at a random moment of the run, half
// the moment the temporary file appears, so the write itself is hit, not only start-up.
import * as assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describeModelFile } from '../../src/core/modelFile';
import { createRng } from '../../src/core/random';
import { isAtomicWriteLeftover } from '../../src/node/atomicWrite';

const CLI = path.join(__dirname, '..', '..', '..', 'dist', 'cli.js');
const KILLS_PER_COMMAND = 10;

interface Outcome {
  readonly killed: boolean;
  readonly atWrite: boolean;
}

/** Runs the CLI and kills it at `delayMs`, or when a temporary file for `target` appears (atWrite). */
function runAndKill(args: string[], target: string, delayMs: number, atWrite: boolean): Promise<Outcome> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: 'ignore' });
    const dir = path.dirname(target);
    const prefix = `.${path.basename(target)}.`;
    let sawTemp = false;
    const kill = () => child.kill('SIGKILL');
    const timer = atWrite ? undefined : setTimeout(kill, delayMs);
    const poll = atWrite
      ? setInterval(() => {
          if (readdirSync(dir).some((n) => n.startsWith(prefix) && isAtomicWriteLeftover(n))) {
            sawTemp = true;
            kill();
          }
        }, 1)
      : undefined;
    child.on('exit', (_code, signal) => {
      clearTimeout(timer);
      clearInterval(poll);
      resolve({ killed: signal === 'SIGKILL', atWrite: sawTemp });
    });
  });
}

describe('killed while saving: the previous file survives', function () {
  this.timeout(120_000);
  let root: string;
  let corpus: string;

  before(function () {
    root = mkdtempSync(path.join(tmpdir(), 'seqlab-kill-'));
    corpus = path.join(root, 'corpus');
    mkdirSync(corpus);
    for (let i = 0; i < 6; i++) writeFileSync(path.join(corpus, `f${i}.js`), `function f${i}(a, b) {\n  return a * ${i} + b;\n}\n`.repeat(40));
  });

  after(() => rmSync(root, { recursive: true, force: true }));

  const cli = (args: string[]) => {
    const started = performance.now();
    const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    return performance.now() - started;
  };

  it(`train --out and export-onnx, ${KILLS_PER_COMMAND} kills each`, async () => {
    const model = path.join(root, 'out', 'model.seqlab');
    const trainArgs = ['train', corpus, '--arch', 'ngram', '--preset', 'nano', '--out', model];
    const trainMs = cli(trainArgs);
    const oldModel = readFileSync(model);

    const lstm = path.join(root, 'lstm.seqlab');
    cli(['train', corpus, '--arch', 'lstm', '--preset', 'nano', '--steps', '1', '--out', lstm]);
    const onnx = path.join(root, 'out', 'lstm.onnx');
    const exportMs = cli(['export-onnx', lstm, onnx]);
    const oldOnnx = readFileSync(onnx);
    const oldStep = readFileSync(onnx.replace(/\.onnx$/, '.step.onnx'));

    const rng = createRng(5);
    const tally = { killed: 0, atWrite: 0, completed: 0 };
    const loop = async (args: string[], target: string, ms: number, check: (killed: boolean) => void) => {
      for (let i = 0; i < KILLS_PER_COMMAND; i++) {
        const atWrite = i % 2 === 1;
        const outcome = await runAndKill(args, target, rng.next() * ms * 1.1, atWrite);
        tally[outcome.killed ? 'killed' : 'completed']++;
        if (outcome.atWrite) tally.atWrite++;
        check(outcome.killed);
      }
    };
    await Promise.all([
      loop(trainArgs, model, trainMs, () => {
        const bytes = readFileSync(model);
        // Either the old file, byte for byte, or a complete new one (the kill came after the rename).
        if (!bytes.equals(oldModel)) assert.equal(describeModelFile(bytes).kind, 'ngram');
      }),
      loop(['export-onnx', lstm, onnx], onnx, exportMs, () => {
        // The same model exports to the same bytes: old or new, each file is whole.
        assert.ok(readFileSync(onnx).equals(oldOnnx));
        assert.ok(readFileSync(onnx.replace(/\.onnx$/, '.step.onnx')).equals(oldStep));
      }),
    ]);
    assert.ok(tally.killed >= KILLS_PER_COMMAND, JSON.stringify(tally));
    assert.ok(tally.atWrite >= 2, `kills during the write: ${JSON.stringify(tally)}`);
    console.log(`      ${JSON.stringify(tally)}`);
  });

  it('refuses an output equal to an input, and an unwritable --out before training', () => {
    const lstm = path.join(root, 'lstm.seqlab');
    const before = readFileSync(lstm);
    const same = spawnSync(process.execPath, [CLI, 'export-onnx', lstm, lstm], { encoding: 'utf8' });
    assert.equal(same.status, 1);
    assert.match(same.stderr, /also an input/);
    assert.ok(readFileSync(lstm).equals(before));

    const blocked = path.join(root, 'a-file');
    writeFileSync(blocked, 'x');
    const started = performance.now();
    const bad = spawnSync(process.execPath, [CLI, 'train', corpus, '--arch', 'lstm', '--minutes', '10', '--out', path.join(blocked, 'm.seqlab')], { encoding: 'utf8' });
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /--out: cannot write into/);
    assert.ok(performance.now() - started < 30_000, 'refused before training, not after 10 minutes');
  });
});
