// Reading a model file from disk with the checks loading cannot make on bytes it is handed: a
// regular file only (a FIFO would block, /dev/zero never ends), its size checked before reading.
import { DEFAULT_MAX_MODEL_FILE_BYTES, ModelFileError } from '../core/modelFile';
import { readBounded } from './boundedRead';

/**
 * A model file's bytes, read as `readBounded` does (a FIFO, device or folder is refused, the size
 * is checked before reading); throws the ModelFileError `loadModelFile` would.
 */
export function readModelFileBytes(file: string, maxBytes = DEFAULT_MAX_MODEL_FILE_BYTES): Uint8Array {
  const read = readBounded(file, maxBytes);
  if (read.ok) return read.bytes;
  if (read.problem === 'not-regular') throw new ModelFileError('not-a-file', `model file is ${read.message}`);
  if (read.problem === 'too-large') throw new ModelFileError('too-large', `model file is ${read.message}`);
  throw new ModelFileError('not-a-file', `model file cannot be read: ${read.message}`);
}
