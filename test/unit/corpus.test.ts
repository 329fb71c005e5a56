import * as assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import {
  containsPrivateKey,
  countExclusions,
  decodeText,
  DEFAULT_MAX_FILE_BYTES,
  isSecretFileName,
  readCorpus,
  splitFiles,
} from '../../src/node/corpus';

describe('corpus reader', () => {
  let root: string;

  function write(relative: string, content: string | Uint8Array): void {
    const file = path.join(root, relative);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, content);
  }

  before(() => {
    root = mkdtempSync(path.join(tmpdir(), 'seqlab-corpus-'));
    write('a.js', 'const a = 1;\n');
    write('sub/b.ts', 'export const b = 2;\n');
    write('sub/deeper/c.md', '# c\n');
    write('bom.txt', '\uFEFFwith a byte-order mark\n');
    write('empty.txt', '');
    // Ignored folders, at the top and nested.
    write('node_modules/dep/index.js', 'module.exports = 1;\n');
    write('sub/node_modules/x.js', 'x\n');
    write('.git/config', '[core]\n');
    write('dist/bundle.js', 'bundle\n');
    write('out/test.js', 'out\n');
    // Binary: a NUL byte; invalid UTF-8 (Latin-1 é).
    write('image.png', new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x00, 0x01]));
    write('latin1.txt', new Uint8Array([0x63, 0x61, 0x66, 0xe9, 0x0a]));
    // Size cap: exactly 1 MiB is kept, one byte more is not.
    write('exact.txt', 'x'.repeat(DEFAULT_MAX_FILE_BYTES));
    write('big.txt', 'x'.repeat(DEFAULT_MAX_FILE_BYTES + 1));
    // Secrets, by name and by content.
    write('.env', 'TOKEN=abc\n');
    write('.env.local', 'TOKEN=def\n');
    write('server.pem', 'cert\n');
    write('private.key', 'key\n');
    write('id_rsa', 'ssh\n');
    write('id_rsa.pub', 'ssh-rsa AAAA\n');
    write('notes.txt', 'deploy key:\n-----BEGIN OPENSSH PRIVATE KEY-----\nabc\n-----END OPENSSH PRIVATE KEY-----\n');
    symlinkSync(path.join(root, 'a.js'), path.join(root, 'link.js'));
  });

  after(() => rmSync(root, { recursive: true, force: true }));

  it('keeps the text files and says what it left out and why, in path order', () => {
    const corpus = readCorpus(root);
    assert.deepEqual(
      corpus.files.map((f) => f.path),
      ['a.js', 'bom.txt', 'empty.txt', 'exact.txt', 'sub/b.ts', 'sub/deeper/c.md'],
    );
    assert.deepEqual(corpus.excluded, [
      { path: '.env', reason: 'secret' },
      { path: '.env.local', reason: 'secret' },
      { path: '.git/', reason: 'ignored-directory' },
      { path: 'big.txt', reason: 'too-large' },
      { path: 'dist/', reason: 'ignored-directory' },
      { path: 'id_rsa', reason: 'secret' },
      { path: 'id_rsa.pub', reason: 'secret' },
      { path: 'image.png', reason: 'binary' },
      { path: 'latin1.txt', reason: 'binary' },
      { path: 'link.js', reason: 'symlink' },
      { path: 'node_modules/', reason: 'ignored-directory' },
      { path: 'notes.txt', reason: 'secret' },
      { path: 'out/', reason: 'ignored-directory' },
      { path: 'private.key', reason: 'secret' },
      { path: 'server.pem', reason: 'secret' },
      { path: 'sub/node_modules/', reason: 'ignored-directory' },
    ]);
    assert.deepEqual(countExclusions(corpus.excluded), {
      secret: 7,
      'ignored-directory': 5,
      'too-large': 1,
      binary: 2,
      symlink: 1,
    });
    assert.equal(corpus.files.find((f) => f.path === 'bom.txt')!.text, 'with a byte-order mark\n');
    assert.equal(corpus.files.find((f) => f.path === 'sub/b.ts')!.text, 'export const b = 2;\n');
    assert.equal(corpus.characters, 13 + 23 + 0 + DEFAULT_MAX_FILE_BYTES + 20 + 4);
  });

  it('takes a smaller size cap', () => {
    const corpus = readCorpus(root, { maxFileBytes: 13 });
    assert.deepEqual(
      corpus.files.map((f) => f.path),
      ['a.js', 'empty.txt', 'sub/deeper/c.md'],
    );
    assert.deepEqual(
      corpus.excluded.filter((e) => e.reason === 'too-large').map((e) => e.path),
      // notes.txt is too large before its private key is seen.
      ['big.txt', 'bom.txt', 'exact.txt', 'notes.txt', 'sub/b.ts'],
    );
  });

  it('secret names, private key blocks, binary detection', () => {
    for (const name of ['.env', '.env.production', '.ENV', 'cert.pem', 'tls.key', 'id_rsa', 'id_ed25519.pub', 'id_ecdsa']) {
      assert.equal(isSecretFileName(name), true, name);
    }
    for (const name of ['env.ts', 'keys.js', 'monkey.ts', 'key.txt', 'pem.md', 'my_id_rsa.txt']) {
      assert.equal(isSecretFileName(name), false, name);
    }
    assert.equal(containsPrivateKey('-----BEGIN RSA PRIVATE KEY-----'), true);
    assert.equal(containsPrivateKey('-----BEGIN PRIVATE KEY-----'), true);
    assert.equal(containsPrivateKey('-----BEGIN EC PRIVATE KEY-----'), true);
    assert.equal(containsPrivateKey('-----BEGIN PUBLIC KEY-----'), false);
    assert.equal(containsPrivateKey('-----BEGIN CERTIFICATE-----'), false);
    assert.equal(decodeText(new TextEncoder().encode('héllo 😀')), 'héllo 😀');
    assert.equal(decodeText(new Uint8Array([0x61, 0x00])), null);
    assert.equal(decodeText(new Uint8Array([0xc3])), null);
  });
});

describe('file split', () => {
  it('holds out whole files', () => {
    const files = Array.from({ length: 12 }, (_, i) => ({ path: `f${i}.js`, text: `file ${i}\n`.repeat(10 + i) }));
    const split = splitFiles(files, { seed: 0 });
    assert.equal(split.splitBy, 'file');
    assert.equal(split.train.length + split.validation.length, 12);
    assert.ok(split.validation.length >= 1);
    // Same objects, in the caller's order on each side.
    for (const f of [...split.train, ...split.validation]) assert.ok(files.includes(f));
    const order = (list: typeof files) => list.map((f) => files.indexOf(f));
    assert.deepEqual(order(split.train), [...order(split.train)].sort((a, b) => a - b));
    const validationChars = split.validation.reduce((n, f) => n + f.text.length, 0);
    const total = files.reduce((n, f) => n + f.text.length, 0);
    assert.ok(validationChars <= 0.1 * total);
  });

  it('cuts a lone file at 90% of its characters', () => {
    const text = 'abcdefghij'.repeat(10);
    const split = splitFiles([{ path: 'only.txt', text }]);
    assert.equal(split.splitBy, 'position');
    assert.deepEqual(split.train, [{ path: 'only.txt', text: text.slice(0, 90) }]);
    assert.deepEqual(split.validation, [{ path: 'only.txt', text: text.slice(90) }]);
  });
});
