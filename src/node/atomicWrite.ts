// Writes a file so that readers see either the old content or the new, never half of either:
// write a temporary file beside it (same folder, so the rename stays on one file system), flush
// it to disk, rename it over the target, then flush the folder so the rename itself survives a
// crash. And the check every writer makes before its work starts: the output can be written and
// is none of the inputs.
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import * as path from 'node:path';

function tempPath(target: string): string {
  return path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
}

export async function writeFileAtomic(target: string, data: Uint8Array | string): Promise<void> {
  const temp = tempPath(target);
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
  syncFolder(path.dirname(target));
}

/** fsync of a folder, where the platform allows opening one (not on Windows). */
function syncFolder(folder: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(folder, 'r');
    fsyncSync(fd);
  } catch {
    // best effort: the data itself is already on disk
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Leftovers of writes that were killed midway: `.NAME.PID.HEX.tmp`. */
export function isAtomicWriteLeftover(fileName: string): boolean {
  return /^\..+\.\d+\.[0-9a-f]{8}\.tmp$/.test(fileName);
}

/** An output that cannot be written, or would overwrite an input; `message` is for people. */
export class OutputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OutputError';
  }
}

/** The path a file is (or would be) at once links are resolved, for comparing outputs and inputs. */
function canonical(file: string): string {
  const abs = path.resolve(file);
  try {
    return realpathSync(abs);
  } catch {
    try {
      return path.join(realpathSync(path.dirname(abs)), path.basename(abs));
    } catch {
      return abs;
    }
  }
}

/**
 * Checks, before any work is done, that each output can be written: not a folder, its folder
 * exists (created if missing) and takes a new file (tried with a temporary one, which catches
 * read-only mounts and permissions alike), and it is not one of `inputs`. Throws OutputError.
 */
export function checkOutputs(outputs: readonly string[], inputs: readonly string[] = []): void {
  const inputPaths = inputs.map(canonical);
  for (const out of outputs) {
    if (inputPaths.includes(canonical(out))) throw new OutputError(`"${out}" is also an input; writing it would destroy what is being read`);
    let stats;
    try {
      stats = statSync(out);
    } catch {
      stats = undefined;
    }
    if (stats?.isDirectory()) throw new OutputError(`"${out}" is a folder`);
    const folder = path.dirname(path.resolve(out));
    const probe = tempPath(path.join(folder, path.basename(out)));
    try {
      mkdirSync(folder, { recursive: true });
      writeFileSync(probe, '');
    } catch (e) {
      throw new OutputError(`cannot write into "${path.dirname(out)}": ${(e as Error).message}`);
    } finally {
      try {
        rmSync(probe, { force: true });
      } catch {
        // nothing was created
      }
    }
  }
}
