import * as assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { countExclusions, decodeText } from '../../src/core/corpus/filters';
import { findSecret, secretInPath } from '../../src/core/corpus/secrets';
import { DEFAULT_MAX_FILE_BYTES, readCorpus } from '../../src/node/corpus';

const isSecretFileName = (name: string) => secretInPath(name) !== null;
const containsPrivateKey = (text: string) => findSecret(text) === 'private key block';

function writeUnder(root: string, relative: string, content: string | Uint8Array): void {
  const file = path.join(root, relative);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, content);
}

describe('corpus reader', () => {
  let root: string;

  const write = (relative: string, content: string | Uint8Array) => writeUnder(root, relative, content);

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
      { path: '.env', reason: 'secret', detail: 'environment file' },
      { path: '.env.local', reason: 'secret', detail: 'environment file' },
      { path: '.git/', reason: 'ignored-directory' },
      { path: 'big.txt', reason: 'too-large' },
      { path: 'dist/', reason: 'ignored-directory' },
      { path: 'id_rsa', reason: 'secret', detail: 'SSH key file' },
      { path: 'id_rsa.pub', reason: 'secret', detail: 'SSH key file' },
      { path: 'image.png', reason: 'binary' },
      { path: 'latin1.txt', reason: 'binary' },
      { path: 'link.js', reason: 'symlink' },
      { path: 'node_modules/', reason: 'ignored-directory' },
      { path: 'notes.txt', reason: 'secret', detail: 'private key block' },
      { path: 'out/', reason: 'ignored-directory' },
      { path: 'private.key', reason: 'secret', detail: 'key or credential file' },
      { path: 'server.pem', reason: 'secret', detail: 'key or credential file' },
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

describe('corpus reader: the shared policy', () => {
  let root: string;
  const write = (relative: string, content: string) => writeUnder(root, relative, content);

  before(() => {
    root = mkdtempSync(path.join(tmpdir(), 'seqlab-corpus-policy-'));
    // A reversed range git cannot use: that line matches nothing, the rest of the file applies.
    write('.gitignore', '[z-a]*.bak\n*.log\nbuild/\n!keep.log\n');
    write('a.js', 'a\n');
    write('x.log', 'log\n');
    write('keep.log', 'kept\n');
    write('build/gen.js', 'generated\n');
    write('pkg/.gitignore', '*.snap\n');
    write('pkg/a.snap', 'snap\n');
    write('pkg/b.js', 'b\n');
    write('other/a.snap', 'not ignored here\n');
    write('home/.ssh/config', 'Host x\n');
    write('home/.aws/config', '[default]\n');
    write('.docker/config.json', '{}\n');
    write('.gnupg/pubring.kbx', 'x\n');
    write('.seqlab/models/m.json', '{}\n');
    write('deploy/prod.env', 'A=1\n');
  });

  after(() => rmSync(root, { recursive: true, force: true }));

  it('applies .gitignore (nested, a malformed line costing only itself), credential folders and .seqlab', () => {
    const corpus = readCorpus(root);
    assert.deepEqual(
      corpus.files.map((f) => f.path),
      ['.gitignore', 'a.js', 'keep.log', 'other/a.snap', 'pkg/.gitignore', 'pkg/b.js'],
    );
    assert.deepEqual(
      corpus.excluded.map((e) => `${e.path} ${e.reason}`),
      [
        '.docker/ secret',
        '.gnupg/ secret',
        '.seqlab/ ignored-directory',
        'build/ gitignored',
        'deploy/prod.env secret',
        'home/.aws/ secret',
        'home/.ssh/ secret',
        'pkg/a.snap gitignored',
        'x.log gitignored',
      ],
    );
  });
});
