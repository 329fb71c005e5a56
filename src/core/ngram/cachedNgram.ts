// An n-gram with the document's cache (documentCache.ts): the counts of the workspace, and the
// text before the cursor counted after it was scored. The n-gram engine decodes from it; the
// hybrid mixes its distribution with the network's (completion/hybrid.ts).
import { DocumentCache, type DocumentCacheOptions } from './documentCache';
import type { CharDistribution, NgramModel } from './ngram';

export class CachedNgram {
  private readonly cache: DocumentCache | undefined;
  /** The models read at most order − 1 characters back; twice as many code units always hold them. */
  readonly contextUnits: number;

  constructor(
    readonly ngram: NgramModel,
    cacheOptions: DocumentCacheOptions | null | undefined,
  ) {
    this.cache = cacheOptions ? new DocumentCache(cacheOptions) : undefined;
    this.contextUnits = 2 * Math.max(1, ngram.order - 1, (cacheOptions?.order ?? 0) - 1);
  }

  get cached(): boolean {
    return this.cache !== undefined;
  }

  /** The last contextUnits code units of `text`: all the models read of it. */
  tail(text: string): string {
    return text.slice(Math.max(0, text.length - this.contextUnits));
  }

  /** The document before the cursor: what the cache counts. */
  sync(prefix: string): void {
    this.cache?.sync(prefix);
  }

  /** The next character's distribution after `context`, the document's counts mixed in. */
  distribution(context: string): CharDistribution {
    const recent = this.tail(context);
    const d = this.ngram.distribution(recent);
    this.cache?.mixInto(recent, d.probs, (unit) => this.ngram.indexOfUnit(unit));
    return d;
  }

  clear(): void {
    this.cache?.clear();
  }
}
