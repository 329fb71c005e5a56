// The arena from the command line (Node, tfjs wasm): RNN tanh, RNN ReLU + identity init, LSTM
// and the n-gram on long-range recall at a short and a long lag, the same token budget each.
// The lecture's claim under test: a vanilla tanh RNN loses the key as the lag grows, gated cells
// keep it. Run: npm run build && node out/bench/arena.js [tokens] [lags, comma-separated]
import { runArena, disposeArena } from '../src/core/arena/arena';
import type { ContenderSpec } from '../src/core/arena/contenders';
import { taskDataset } from '../src/core/arena/datasets';
import { useBackend } from '../src/core/backend/backend';
import { nodeWasmPaths } from '../src/node/wasmPaths';

async function main(): Promise<void> {
  const tokens = Number(process.argv[2] ?? 60_000);
  const lags = (process.argv[3] ?? '4,24').split(',').map(Number);
  await useBackend('wasm', { wasmPaths: nodeWasmPaths() });
  const contenders: ContenderSpec[] = [{ kind: 'rnn-tanh', preset: 'nano' }, { kind: 'rnn-relu-identity', preset: 'nano' }, { kind: 'lstm', preset: 'nano' }, { kind: 'ngram', knobs: { order: 4 } }];
  for (const lag of lags) {
    const dataset = taskDataset({ id: 'recall', size: lag, count: 2000, seed: 0 });
    const result = await runArena(contenders, dataset, { kind: 'tokens', tokens }, { replayedChars: 500 });
    console.log(`\nrecall at lag ${lag}, ${tokens} tokens each, chance ${(dataset.taskChance! * 100).toFixed(1)}%`);
    console.log('contender | recall accuracy | held-out bits/char | tokens/s | parameters');
    for (const { row } of result.entries) {
      console.log(`${row.label} | ${(row.taskAccuracy! * 100).toFixed(1)}% | ${row.heldOutBitsPerChar.toFixed(3)} | ${row.tokensPerSecond.toFixed(0)} | ${row.parameters}`);
    }
    disposeArena(result);
  }
}

void main();
