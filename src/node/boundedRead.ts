// Reads a file only if it is a regular file no larger than a cap, deciding both from the open
// descriptor before reading: a FIFO would block a plain read forever and /dev/zero would grow
// without end, and a path checked first and read second could be swapped in between.
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';

export type BoundedRead =
  | { readonly ok: true; readonly bytes: Uint8Array }
  | { readonly ok: false; readonly problem: 'not-regular' | 'too-large' | 'unreadable'; readonly size?: number; readonly message: string };

/** The bytes of `file` when it is a regular file of at most `maxBytes`; otherwise why not. */
export function readBounded(file: string, maxBytes: number): BoundedRead {
  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO with no writer returns at once instead of waiting for one.
    fd = openSync(file, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (e) {
    return { ok: false, problem: 'unreadable', message: (e as Error).message };
  }
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile()) return { ok: false, problem: 'not-regular', message: 'not a regular file (a folder, device, FIFO or socket)' };
    if (stats.size > maxBytes) return { ok: false, problem: 'too-large', size: stats.size, message: `${stats.size} bytes, over the ${maxBytes} limit` };
    // One byte more than allowed, so a file that grew since fstat is caught rather than cut.
    const buffer = Buffer.allocUnsafe(Math.min(stats.size, maxBytes) + 1);
    let length = 0;
    for (;;) {
      const n = readSync(fd, buffer, length, buffer.length - length, null);
      if (n === 0) break;
      length += n;
      if (length > maxBytes) return { ok: false, problem: 'too-large', size: length, message: `over the ${maxBytes} byte limit` };
      if (length === buffer.length) break;
    }
    return { ok: true, bytes: new Uint8Array(buffer.buffer, buffer.byteOffset, length) };
  } catch (e) {
    return { ok: false, problem: 'unreadable', message: (e as Error).message };
  } finally {
    closeSync(fd);
  }
}

