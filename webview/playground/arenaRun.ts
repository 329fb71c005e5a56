// One arena run inside the Playground webview: the core arena (src/core/arena) on the tfjs
// backend this browser trains best on (the same choice and fallback order as the trainer
// webview; the WebGPU package is not bundled here, so a WebGPU choice falls to the next one).
// Trained models stay here until the panel runs again, so a row can become the active model.
import * as tf from '@tensorflow/tfjs';
import { disposeArena, runArena, type ArenaResult, type ArenaRow, type CurvePoint } from '../../src/core/arena/arena';
import { contenderLabel, type ContenderKind } from '../../src/core/arena/contenders';
import type { SequenceModel } from '../../src/core/models';
import type { Tokenizer } from '../../src/core/tokenizers/tokenizer';
import { arenaDataset } from '../../src/core/arena/datasets';
import { arenaRecord } from '../../src/core/arena/report';
import { useBackend } from '../../src/core/backend/backend';
import type { BackendProbe, TrainingBackend } from '../../src/core/backend/choice';
import { backendCandidates } from '../../src/core/backend/fallback';
import { saveModelFile, saveNgramFile } from '../../src/core/modelFile';
import type { ArenaStartMessage } from '../../src/protocol';
import { postToHost } from '../shared/host';

const BUNDLED: readonly TrainingBackend[] = ['webgl', 'wasm', 'cpu'];

export interface ArenaView {
  started(backend: string, dataset: string, labels: string[]): void;
  contender(index: number, label: string): void;
  point(index: number, point: CurvePoint): void;
  row(index: number, row: ArenaRow): void;
  done(): void;
  error(message: string): void;
}

let stopRequested = false;
let last: { runId: string; result: ArenaResult } | null = null;

export function stopArena(): void {
  stopRequested = true;
}

async function startBackend(probe: BackendProbe, preferred: 'auto' | TrainingBackend, wasmPaths: string): Promise<string> {
  let lastError = '';
  for (const candidate of backendCandidates(probe, preferred, BUNDLED)) {
    try {
      return await useBackend(candidate.backend, { wasmPaths });
    } catch (error) {
      lastError = error instanceof Error ? error.message : String(error);
    }
  }
  throw new Error(`no tfjs backend could start: ${lastError}`);
}

export async function runArenaHere(start: ArenaStartMessage, probe: BackendProbe, preferred: 'auto' | TrainingBackend, view: ArenaView): Promise<void> {
  const { runId } = start;
  stopRequested = false;
  try {
    if (last) disposeArena(last.result);
    last = null;
    const backend = await startBackend(probe, preferred, start.wasmPaths);
    const dataset = arenaDataset(start.dataset);
    view.started(backend, dataset.description, start.contenders.map(contenderLabel));
    postToHost({ type: 'arenaStarted', runId, backend, dataset: dataset.description });
    const result = await runArena(start.contenders, dataset, start.budget, start.settings, {
      onStart: (index, label) => {
        view.contender(index, label);
        postToHost({ type: 'arenaContender', runId, index, label });
      },
      onPoint: (index, point) => {
        view.point(index, point);
        postToHost({ type: 'arenaPoint', runId, index, point });
      },
      onRow: (index, row) => {
        view.row(index, row);
        postToHost({ type: 'arenaRow', runId, index, row });
      },
      shouldStop: () => stopRequested,
    });
    last = { runId, result };
    postToHost({ type: 'arenaDone', runId, record: arenaRecord(result, runId, backend) });
    view.done();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    view.error(message);
    postToHost({ type: 'arenaError', runId, message });
  }
}

/** The last run's trained model of `kind` and its tokenizer, when it has one. */
export function trainedModelOf(kind: ContenderKind): { model: SequenceModel; tokenizer: Tokenizer } | null {
  const entry = last?.result.entries.find((e) => e.row.spec.kind === kind);
  return entry && entry.model.kind === 'neural' ? { model: entry.model.model, tokenizer: last!.result.tokenizer } : null;
}

/** Sends row `index`'s model to the host as a model file. */
export function useAsActiveModel(runId: string, index: number): boolean {
  if (!last || last.runId !== runId) return false;
  const entry = last.result.entries[index];
  if (!entry) return false;
  const metadata = { backend: tf.getBackend(), arena: { runId, dataset: last.result.dataset, row: entry.row } };
  const bytes =
    entry.model.kind === 'neural'
      ? saveModelFile({ model: entry.model.model, tokenizer: last.result.tokenizer, metadata })
      : saveNgramFile({ ngram: entry.model.ngram, metadata });
  postToHost({ type: 'arenaUseModel', runId, index, name: `${entry.row.label} (arena)`, bytes }, [bytes.buffer as ArrayBuffer]);
  return true;
}
