import * as assert from 'node:assert/strict';
import { fork } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { isAtomicWriteLeftover, writeFileAtomic } from '../../src/node/atomicWrite';

const NEW_BYTES = 64 * 1024 * 1024;

// Forked as a child, this file writes a large file atomically until it is killed.
if (process.env.SEQLAB_ATOMIC_CHILD) {
  const target = process.env.SEQLAB_ATOMIC_CHILD;
  process.send?.('writing');
  void writeFileAtomic(target, new Uint8Array(NEW_BYTES).fill(7)).then(() => process.send?.('done'));
} else {
  describe('writeFileAtomic', () => {
    it('replaces the content whole', async () => {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'seqlab-atomic-'));
      const target = path.join(dir, 'model.seqlab');
      writeFileSync(target, 'old');
      await writeFileAtomic(target, 'new content');
      assert.equal(readFileSync(target, 'utf8'), 'new content');
      assert.deepEqual(readdirSync(dir), ['model.seqlab']);
    });

    it('leaves the old file intact when the writer is killed mid-write', async function () {
      this.timeout(60_000);
      const dir = mkdtempSync(path.join(os.tmpdir(), 'seqlab-atomic-'));
      const target = path.join(dir, 'model.seqlab');
      writeFileSync(target, 'old');
      const child = fork(__filename, [], { env: { ...process.env, SEQLAB_ATOMIC_CHILD: target }, stdio: 'ignore' });
      const outcome = await new Promise<string>((resolve) => {
        child.on('message', (m) => {
          if (m === 'writing') setTimeout(() => child.kill('SIGKILL'), 5);
          if (m === 'done') resolve('done');
        });
        child.on('exit', () => resolve('killed'));
      });
      const content = readFileSync(target);
      if (outcome === 'killed' && content.length === 3) {
        assert.equal(content.toString(), 'old');
      } else {
        // The write won the race: then it must be complete.
        assert.equal(content.length, NEW_BYTES);
      }
      const others = readdirSync(dir).filter((n) => n !== 'model.seqlab');
      assert.ok(others.every(isAtomicWriteLeftover), `unexpected files: ${others.join(', ')}`);
    });

    it('recognises only its own leftovers', () => {
      assert.equal(isAtomicWriteLeftover('.model.seqlab.1234.0a1b2c3d.tmp'), true);
      assert.equal(isAtomicWriteLeftover('model.seqlab'), false);
      assert.equal(isAtomicWriteLeftover('.model.seqlab.tmp'), false);
    });
  });
}
