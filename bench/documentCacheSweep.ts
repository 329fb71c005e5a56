// How the document cache's defaults were chosen: keystroke savings, precision and bits/char on
// held-out files (`seqlab train`'s split: seed 0, a tenth of the files) of any folder, the n-gram
// counted on the training files alone, with and without the cache, through the same replay as
// `seqlab eval`. Each held-out file is replayed from its start, so the cache holds exactly the
// text typed before each position (scored first, counted after).
//
//   npm run build && node out/bench/documentCacheSweep.js FOLDER [--chars N] [--order 8] [--caches off,3:1,3:2,2:1]
//
// A cache is `minContext:concentration`. One JSON line per measurement. Not part of `npm run bench`.
import { parseArgs } from 'node:util';
import { DEFAULT_DECODING } from '../src/core/completion/engine';
import { ngramServing } from '../src/core/completion/servingEngine';
import { keystrokeSavings, limitCharacters, percentile } from '../src/core/evaluation';
import { DocumentCache, type DocumentCacheOptions } from '../src/core/ngram/documentCache';
import { NgramModel } from '../src/core/ngram/ngram';
import { splitTexts } from '../src/core/corpus/splitTexts';
import { readCorpus } from '../src/node/corpus';

/** Bits per character of `texts`, each from its start, the cache (if any) counting as it goes. */
function bitsPerChar(ngram: NgramModel, texts: readonly string[], options: DocumentCacheOptions | undefined): number {
  const symbolOf = (unit: number) => ngram.indexOfUnit(unit);
  let bits = 0;
  let n = 0;
  for (const text of texts) {
    const cache = options ? new DocumentCache(options) : undefined;
    for (let i = 0; i < text.length; i++) {
      const context = text.slice(Math.max(0, i - 2 * ngram.order), i);
      const d = ngram.distribution(context);
      const k = symbolOf(text.charCodeAt(i));
      let p: number;
      if (k < 0) p = d.unknown;
      else if (cache) {
        cache.sync(text.slice(0, i));
        // The mix renormalises over known characters; scale back so the unknown mass stays.
        const known = 1 - d.unknown;
        const probs = d.probs.map((x) => x / known);
        cache.mixInto(context, probs, symbolOf);
        p = probs[k] * known;
      } else p = d.probs[k];
      bits -= Math.log2(Math.max(p, 1e-12));
      n++;
    }
  }
  return bits / n;
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      chars: { type: 'string', default: '20000' },
      order: { type: 'string', default: '8' },
      caches: { type: 'string', default: 'off,3:1,3:2,2:1,4:1' },
    },
  });
  const root = positionals[0];
  if (!root) throw new Error('usage: documentCacheSweep.js FOLDER [--chars N] [--order 8] [--caches off,3:1,…]');
  const order = Number(values.order);
  const split = splitTexts(readCorpus(root).files, { seed: 0, validationFraction: 0.1 });
  const held = limitCharacters(
    split.validation.map((f) => f.text),
    Number(values.chars),
  );
  const characters = held.reduce((s, t) => s + t.length, 0);
  const ngram = NgramModel.train(
    split.train.map((f) => f.text),
    { order },
  );
  for (const spec of values.caches.split(',')) {
    const options: DocumentCacheOptions | undefined =
      spec === 'off' ? undefined : { order, minContext: Number(spec.split(':')[0]), concentration: Number(spec.split(':')[1]) };
    const started = performance.now();
    const r = await keystrokeSavings(ngramServing('n-gram', ngram, DEFAULT_DECODING, options ?? null), held);
    console.log(
      JSON.stringify({
        root,
        order,
        cache: spec,
        characters,
        files: held.length,
        bitsPerChar: +bitsPerChar(ngram, held, options).toFixed(4),
        keystrokeSavings: +r.savings.toFixed(4),
        precision: +r.precision.toFixed(4),
        shown: r.shownSuggestions,
        p50Ms: +percentile(r.latenciesMs, 50).toFixed(3),
        p99Ms: +percentile(r.latenciesMs, 99).toFixed(3),
        replayS: +((performance.now() - started) / 1000).toFixed(1),
      }),
    );
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
