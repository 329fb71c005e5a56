// Building a vocabulary: keep the most frequent items, because the cap bounds the size of
// the model's embedding and softmax; ties are broken by a fixed order so that the same
// corpus always gives the same ids.

/** Counts every item the iterable yields. */
export function countItems(items: Iterable<string>, counts = new Map<string, number>()): Map<string, number> {
  for (const item of items) counts.set(item, (counts.get(item) ?? 0) + 1);
  return counts;
}

/** The `limit` most frequent keys of `counts`, most frequent first, ties ordered by `tieBreak`. */
export function mostFrequent(
  counts: ReadonlyMap<string, number>,
  limit: number,
  tieBreak: (a: string, b: string) => number,
): string[] {
  return [...counts.entries()]
    .sort((a, b) => b[1] - a[1] || tieBreak(a[0], b[0]))
    .slice(0, Math.max(0, limit))
    .map(([item]) => item);
}

/** Compares strings by UTF-16 code units: deterministic and locale-independent. */
export function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
