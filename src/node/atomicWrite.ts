// Writes a file so that readers see either the old content or the new, never half of either:
// write a temporary file beside it, flush it to disk, then rename over the target.
import { randomBytes } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import * as path from 'node:path';

export async function writeFileAtomic(target: string, data: Uint8Array | string): Promise<void> {
  const temp = path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const handle = await open(temp, 'w');
  try {
    await handle.writeFile(data);
    await handle.sync();
  } catch (error) {
    await handle.close();
    await rm(temp, { force: true });
    throw error;
  }
  await handle.close();
  try {
    await rename(temp, target);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

/** Leftovers of writes that were killed midway: `.NAME.PID.HEX.tmp`. */
export function isAtomicWriteLeftover(fileName: string): boolean {
  return /^\..+\.\d+\.[0-9a-f]{8}\.tmp$/.test(fileName);
}
