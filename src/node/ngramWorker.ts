// Worker thread (dist/ngramWorker.js) that builds the workspace n-gram model and answers
// suggestions from it, so that neither reading and counting the workspace (about a second per
// half megabyte) nor a slow suggestion ever blocks the extension host.
import { parentPort } from 'node:worker_threads';
import type { DecodingOptions } from '../core/completion/engine';
import { ngramServing, type ServingEngine } from '../core/completion/servingEngine';
import { CachedNgram } from '../core/ngram/cachedNgram';
import { DEFAULT_DOCUMENT_CACHE } from '../core/ngram/documentCache';
import { NgramModel } from '../core/ngram/ngram';
import { excludeByPath, judgeFile } from '../core/corpus/filters';
import { readBounded } from './boundedRead';

/** A file to count: where it is, and its path in its workspace folder (what the corpus policy sees). */
export interface WorkspaceFile {
  readonly absolute: string;
  readonly relative: string;
}

export interface BuildRequest {
  readonly type: 'build';
  /** Most wanted first; reading stops at `maxTotalChars`. */
  readonly files: readonly WorkspaceFile[];
  readonly order: number;
  readonly maxFileBytes: number;
  readonly maxTotalChars: number;
  readonly decoding: DecodingOptions;
}

export interface ConfigureRequest {
  readonly type: 'configure';
  readonly decoding: DecodingOptions;
}

export interface SuggestRequest {
  readonly type: 'suggest';
  readonly id: number;
  /** Each document has its own cache of the text before its cursor. */
  readonly documentKey: string;
  readonly prefix: string;
  readonly maxChars: number;
}

/**
 * The next character's distribution after `context` (the hybrid asks at every character it
 * suggests), from the n-gram and the document's cache; `prefix`, when given, is the document
 * before the cursor, which the cache counts first.
 */
export interface DistributionRequest {
  readonly type: 'distribution';
  readonly id: number;
  readonly documentKey: string;
  readonly prefix?: string;
  readonly context: string;
}

export interface ForgetRequest {
  readonly type: 'forget';
  readonly documentKey: string;
}

export type WorkerRequest = BuildRequest | ConfigureRequest | SuggestRequest | DistributionRequest | ForgetRequest;

export interface BuiltReply {
  readonly type: 'built';
  readonly files: number;
  readonly characters: number;
  readonly skipped: number;
  readonly ms: number;
  /** The n-gram's characters: what a DistributionReply's probabilities are over. */
  readonly chars: readonly string[];
}

export interface DistributionReply {
  readonly type: 'distribution';
  readonly id: number;
  readonly probs: Float64Array;
}

export interface SuggestionReply {
  readonly type: 'suggestion';
  readonly id: number;
  readonly text: string;
  readonly meanProbability: number;
  readonly probability: number;
}

export interface ErrorReply {
  readonly type: 'error';
  /** The suggestion that failed; absent when building failed. */
  readonly id?: number;
  readonly message: string;
}

export type WorkerReply = BuiltReply | SuggestionReply | DistributionReply | ErrorReply;

/** Documents whose caches the hybrid's requests keep (the most recently asked). */
const MAX_CACHED_DOCUMENTS = 4;

/**
 * Texts of the files the shared corpus policy keeps (the host enumerated them with the same
 * policy and .gitignore; the path rules are applied again here so that no caller can hand the
 * worker a secret file), in order, up to the limits.
 */
export async function readTexts(
  files: readonly WorkspaceFile[],
  maxFileBytes: number,
  maxTotalChars: number,
): Promise<{ texts: string[]; skipped: number }> {
  const texts: string[] = [];
  let total = 0;
  let skipped = 0;
  for (const file of files) {
    if (total >= maxTotalChars) break;
    const read = excludeByPath(file.relative, false) ? null : readBounded(file.absolute, maxFileBytes);
    const judged = read?.ok ? judgeFile(read.bytes, maxFileBytes) : null;
    if (!judged || !('text' in judged)) {
      skipped++;
      continue;
    }
    texts.push(judged.text);
    total += judged.text.length;
  }
  return { texts, skipped };
}

function serve(): void {
  const port = parentPort;
  if (!port) return;
  let model: NgramModel | undefined;
  let engine: ServingEngine | undefined;
  /** The hybrid's per-document counts, least recently asked first. */
  const documents = new Map<string, CachedNgram>();
  const countsFor = (documentKey: string, m: NgramModel) => {
    let counts = documents.get(documentKey);
    if (counts) documents.delete(documentKey);
    else counts = new CachedNgram(m, DEFAULT_DOCUMENT_CACHE);
    documents.set(documentKey, counts);
    if (documents.size > MAX_CACHED_DOCUMENTS) documents.delete(documents.keys().next().value as string);
    return counts;
  };
  const serving = (m: NgramModel, decoding: DecodingOptions) => {
    engine?.dispose();
    return ngramServing('workspace n-gram', m, decoding, DEFAULT_DOCUMENT_CACHE);
  };
  const post = (reply: WorkerReply) => port.postMessage(reply);

  port.on('message', (request: WorkerRequest) => {
    void (async () => {
      switch (request.type) {
        case 'build': {
          const started = performance.now();
          try {
            const { texts, skipped } = await readTexts(request.files, request.maxFileBytes, request.maxTotalChars);
            model = NgramModel.train(texts, { order: request.order });
            engine = serving(model, request.decoding);
            const characters = texts.reduce((n, t) => n + t.length, 0);
            documents.clear();
            post({ type: 'built', files: texts.length, characters, skipped, ms: performance.now() - started, chars: model.chars });
          } catch (e) {
            post({ type: 'error', message: (e as Error).message });
          }
          break;
        }
        case 'configure':
          if (model) engine = serving(model, request.decoding);
          break;
        case 'distribution': {
          if (!model) {
            post({ type: 'error', id: request.id, message: 'the workspace n-gram is not built yet' });
            break;
          }
          const counts = countsFor(request.documentKey, model);
          if (request.prefix !== undefined) counts.sync(request.prefix);
          const { probs } = counts.distribution(request.context);
          port.postMessage({ type: 'distribution', id: request.id, probs } satisfies DistributionReply, [probs.buffer as ArrayBuffer]);
          break;
        }
        case 'forget':
          documents.delete(request.documentKey);
          engine?.forget(request.documentKey);
          break;
        case 'suggest':
          if (!engine) {
            post({ type: 'error', id: request.id, message: 'the workspace n-gram is not built yet' });
            break;
          }
          try {
            const s = await engine.suggest(request.documentKey, request.prefix, request.maxChars);
            post({ type: 'suggestion', id: request.id, ...s });
          } catch (e) {
            post({ type: 'error', id: request.id, message: (e as Error).message });
          }
          break;
      }
    })();
  });
}

serve();
