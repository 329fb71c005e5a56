// Held-out bits per character on sample-workspace, against the n-gram baseline.
//
// The corpus is split by whole file (tokenStream.ts `splitCorpus`, 10% of the characters held
// out). The character tokenizer and the order-6 Kneser-Ney n-gram (ngram.ts) see only the
// training files. Each architecture trains through the core Trainer.run for the same wall time
// with the extension's defaults (Adam, peak learning rate 3e-3 after 20 warm-up steps, clipping
// at 1; batch 32, windows of 64), then is evaluated on every window of the held-out files.
//
// What differs between the two scores, for the record: the neural model reads each held-out
// file in consecutive windows of 64 characters, each starting from its initial state (so the
// first characters of a window have little context), and scores every character but a file's
// first; the n-gram sees 5 characters of context everywhere and scores every character.
// Characters never seen in training are one outcome for both (<unk>, resp. "unknown").
import { useBackend, type BackendName } from '../src/core/backend/backend';
import { NgramModel } from '../src/core/ngram/ngram';
import { createModel, presetConfig, type Arch } from '../src/core/models';
import { CharTokenizer } from '../src/core/tokenizers';
import { Trainer } from '../src/core/training/trainer';
import { splitCorpus } from '../src/core/training/tokenStream';
import { nodeWasmPaths } from '../src/node/wasmPaths';
import type { SourceFile } from './corpus';
import { log, now } from './stats';

export interface HeldOutRow {
  /** An architecture, or 'ngram' for the baseline. */
  readonly model: Arch | 'ngram';
  readonly preset: 'nano' | 'small' | null;
  readonly bitsPerChar: number;
  /** The n-gram baseline's bits/char on the same held-out files (repeated on every row). */
  readonly ngramBitsPerChar: number;
  /** Training wall time (the n-gram: counting). */
  readonly trainSeconds: number;
  readonly steps: number | null;
  readonly tokensSeen: number | null;
  readonly parameters: number | null;
  /** The n-gram's order, or the model's config. */
  readonly config: Record<string, unknown>;
  readonly backend: BackendName | null;
  readonly error?: string;
}

export interface HeldOutOptions {
  readonly archs: readonly Arch[];
  readonly seconds: number;
  readonly preset: 'nano' | 'small';
  readonly backend?: BackendName;
  readonly ngramOrder?: number;
  readonly batchSize?: number;
  readonly seqLen?: number;
}

export interface HeldOutCorpus {
  readonly trainFiles: number;
  readonly heldOutFiles: number;
  readonly trainChars: number;
  readonly heldOutChars: number;
  readonly vocabSize: number;
}

export async function runHeldOut(
  files: readonly SourceFile[],
  options: HeldOutOptions,
): Promise<{ rows: HeldOutRow[]; corpus: HeldOutCorpus }> {
  const backend = options.backend ?? 'wasm';
  const order = options.ngramOrder ?? 6;
  // Split on the file lengths first, so the tokenizer can be built on the training side only.
  const byName = new Map(files.map((f) => [f.name, f.text]));
  const split = splitCorpus(
    files.map((f) => ({ name: f.name, tokens: { length: f.text.length } })),
    { validationFraction: 0.1, seed: 0 },
  );
  if (split.splitBy !== 'file') throw new Error('held-out: the corpus needs at least two files');
  const trainTexts = split.train.map((d) => byName.get(d.name!)!);
  const heldOutTexts = split.validation.map((d) => byName.get(d.name!)!);
  const tokenizer = CharTokenizer.build(trainTexts);
  const encode = (texts: string[]) => texts.map((text, i) => ({ name: String(i), tokens: Int32Array.from(tokenizer.encode(text)) }));
  const train = encode(trainTexts);
  const validation = encode(heldOutTexts);
  const corpus: HeldOutCorpus = {
    trainFiles: train.length,
    heldOutFiles: validation.length,
    trainChars: train.reduce((s, d) => s + d.tokens.length, 0),
    heldOutChars: validation.reduce((s, d) => s + d.tokens.length, 0),
    vocabSize: tokenizer.vocabSize,
  };

  log(`held-out: n-gram order ${order} on ${corpus.trainChars} training characters`);
  let started = now();
  const ngram = NgramModel.train(trainTexts, { order });
  const ngramTrainSeconds = (now() - started) / 1000;
  const ngramBits = ngram.bitsPerChar(heldOutTexts);
  log(`  n-gram ${ngramBits.toFixed(3)} bits/char`);
  const rows: HeldOutRow[] = [
    {
      model: 'ngram',
      preset: null,
      bitsPerChar: ngramBits,
      ngramBitsPerChar: ngramBits,
      trainSeconds: ngramTrainSeconds,
      steps: null,
      tokensSeen: null,
      parameters: null,
      config: { order, smoothing: 'kn' },
      backend: null,
    },
  ];

  await useBackend(backend, { wasmPaths: nodeWasmPaths() });
  for (const arch of options.archs) {
    log(`held-out: ${arch} (${options.preset}) for ${options.seconds} s on ${backend}`);
    const config = presetConfig(arch, options.preset, tokenizer.vocabSize);
    const model = createModel(config);
    const parameters = [...model.weights.values()].reduce((s, w) => s + w.size, 0);
    let trainer: Trainer | null = null;
    try {
      trainer = new Trainer(
        model,
        { train, validation, splitBy: split.splitBy },
        {
          batchSize: options.batchSize ?? 32,
          seqLen: options.seqLen ?? 64,
          maxTimeMs: options.seconds * 1000,
          evalEvery: 1e9,
          finalEval: false,
          evalWindows: Infinity,
          gradientFlowRows: 0,
          seed: 1,
        },
      );
      started = now();
      const result = await trainer.run();
      const trainSeconds = (now() - started) / 1000;
      const evaluation = await trainer.evaluate();
      const summary = trainer.summary().training;
      rows.push({
        model: arch,
        preset: options.preset,
        bitsPerChar: evaluation.bitsPerChar,
        ngramBitsPerChar: ngramBits,
        trainSeconds,
        steps: result.steps,
        tokensSeen: summary.tokensSeen,
        parameters,
        config: {
          ...config,
          batchSize: summary.batchSize,
          seqLen: summary.seqLen,
          learningRate: summary.learningRate,
          clipNorm: summary.clipNorm,
        },
        backend,
      });
      log(`  ${evaluation.bitsPerChar.toFixed(3)} bits/char after ${result.steps} steps`);
    } catch (e) {
      rows.push({
        model: arch,
        preset: options.preset,
        bitsPerChar: NaN,
        ngramBitsPerChar: ngramBits,
        trainSeconds: NaN,
        steps: null,
        tokensSeen: null,
        parameters,
        config: { ...config },
        backend,
        error: e instanceof Error ? e.message : String(e),
      });
    } finally {
      trainer?.dispose();
      model.dispose();
    }
  }
  return { rows, corpus };
}
