// What the numbers were measured on. The load average matters: the benchmark machines are
// often shared, and a busy neighbour halves throughput.
import * as os from 'node:os';
import * as tf from '@tensorflow/tfjs';

export interface MachineInfo {
  readonly cpuModel: string;
  readonly cores: number;
  readonly totalMemoryGiB: number;
  readonly platform: string;
  readonly arch: string;
  readonly node: string;
  readonly tfjs: string;
  readonly tfjsBackendWasm: string;
  /** ISO 8601, when the run started. */
  readonly date: string;
  /** 1-minute load average when the run started and when it ended (the end is filled in later). */
  readonly loadAverageStart: number;
  loadAverageEnd?: number;
  /** Short name used in result file names, e.g. "amd-epyc-2c". */
  readonly slug: string;
}

function packageVersion(name: string): string {
  try {
    return (require(`${name}/package.json`) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

export function machineInfo(): MachineInfo {
  const cpus = os.cpus();
  const cpuModel = (cpus[0]?.model ?? 'unknown cpu').trim();
  const cores = cpus.length;
  const slug = `${cpuModel
    .toLowerCase()
    .replace(/\(r\)|\(tm\)|cpu|processor|@.*$|\d+-core/g, ' ')
    .trim()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 40)}-${cores}c`;
  return {
    cpuModel,
    cores,
    totalMemoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    platform: os.platform(),
    arch: os.arch(),
    node: process.version,
    tfjs: tf.version.tfjs,
    tfjsBackendWasm: packageVersion('@tensorflow/tfjs-backend-wasm'),
    date: new Date().toISOString(),
    loadAverageStart: Math.round(os.loadavg()[0] * 100) / 100,
    slug,
  };
}

export function currentLoad(): number {
  return Math.round(os.loadavg()[0] * 100) / 100;
}
