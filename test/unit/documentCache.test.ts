import * as assert from 'node:assert/strict';
import { DocumentCache } from '../../src/core/ngram/documentCache';
import { seededRandom } from './support/numeric';

const ALPHABET = 'abXY';
const symbolOf = (unit: number) => ALPHABET.indexOf(String.fromCharCode(unit));
const uniform = () => new Float64Array(ALPHABET.length).fill(1 / ALPHABET.length);

function mixed(cache: DocumentCache, context: string): number[] {
  const probs = uniform();
  cache.mixInto(context, probs, symbolOf);
  return Array.from(probs);
}

describe('document cache', () => {
  it('mixes the counts of the longest contexts over the static distribution, as computed by hand', () => {
    // order 4, contexts of 3 characters only: after "abX" the document had "a" once and "b" once.
    const cache = new DocumentCache({ order: 4, minContext: 3, concentration: 1 });
    cache.sync('abXaabXb');
    // P(w) = (c(abX w) + 1 · 1/4) / (2 + 1)
    const expected = [(1 + 0.25) / 3, (1 + 0.25) / 3, 0.25 / 3, 0.25 / 3];
    mixed(cache, 'zabX').forEach((p, k) => assert.ok(Math.abs(p - expected[k]) < 1e-12, `${k}: ${p} vs ${expected[k]}`));
    // A context the document never had leaves the static distribution as it was.
    assert.deepEqual(mixed(cache, 'YYY'), Array.from(uniform()));
  });

  it('nests: each longer context seen pulls further towards what followed it', () => {
    const cache = new DocumentCache({ order: 4, minContext: 2, concentration: 1 });
    cache.sync('bXa'); // "bX" → a and nothing of length 3
    const short = mixed(cache, 'YbX');
    cache.sync('bXaYbXa'); // now "bX" → a twice and "YbX" → a once
    const long = mixed(cache, 'YbX');
    assert.ok(long[0] > short[0], `${long[0]} > ${short[0]}`);
    // d=2: (2 + 1/4) / 3 = 0.75; d=3: (1 + 0.75) / 2 = 0.875
    assert.ok(Math.abs(long[0] - 0.875) < 1e-12, String(long[0]));
  });

  it('counts after any sequence of edits equal counting the final text afresh', () => {
    const random = seededRandom(7);
    const cache = new DocumentCache({ order: 5, minContext: 1, concentration: 2 });
    let text = '';
    for (let step = 0; step < 200; step++) {
      // Type on, delete back, or replace a middle part: the editor's three kinds of change.
      const cut = Math.floor(random() * (text.length + 1));
      const kind = random();
      let typed = '';
      for (let i = 0; i < 1 + Math.floor(random() * 6); i++) typed += ALPHABET[Math.floor(random() * ALPHABET.length)];
      text = kind < 0.5 ? text + typed : kind < 0.7 ? text.slice(0, cut) : text.slice(0, cut) + typed + text.slice(cut + 3);
      cache.sync(text);
    }
    const fresh = new DocumentCache(cache.options);
    fresh.sync(text);
    for (let i = 0; i < 50; i++) {
      const at = Math.floor(random() * text.length);
      const context = text.slice(Math.max(0, at - 4), at);
      assert.deepEqual(mixed(cache, context), mixed(fresh, context), `context ${JSON.stringify(context)}`);
      const sum = mixed(cache, context).reduce((s, p) => s + p, 0);
      assert.ok(Math.abs(sum - 1) < 1e-9, `sums to 1: ${sum}`);
    }
    cache.sync('');
    assert.equal(cache.length, 0);
    assert.deepEqual(mixed(cache, 'abXY'), Array.from(uniform()));
  });

  it('refuses options it cannot use', () => {
    assert.throws(() => new DocumentCache({ order: 1, minContext: 1, concentration: 1 }), RangeError);
    assert.throws(() => new DocumentCache({ order: 4, minContext: 0, concentration: 1 }), RangeError);
    assert.throws(() => new DocumentCache({ order: 4, minContext: 1, concentration: 0 }), RangeError);
  });
});
