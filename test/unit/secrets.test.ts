// The planted-secrets workspace (test/unit/support/plantedSecrets.ts: 100+ fake secrets in 40+
// formats, and ordinary files full of hashes, uuids and base64 that must stay) run through every
// corpus path: the CLI's folder reader, the policy training from the palette applies to each
// file, and the workspace n-gram worker. None of the secrets may reach a corpus; none of the
// ordinary files may be lost.
import * as assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { excludeByPath, finishCorpus, judgeFile, type CorpusFile, type ExcludedFile } from '../../src/core/corpus/filters';
import { GitignoreMatcher } from '../../src/core/corpus/gitignore';
import { findSecret, looksGenerated, PROVIDER_KINDS, secretInPath, shannonEntropy } from '../../src/core/corpus/secrets';
import { readTexts } from '../../src/node/ngramWorker';
import { readCorpus } from '../../src/node/corpus';
import { plantSecrets, type PlantedWorkspace } from './support/plantedSecrets';

const MAX_FILE_BYTES = 1024 * 1024;

/** The secrets whose value appears in one of `texts`. */
function leaked(planted: PlantedWorkspace, texts: readonly string[]): string[] {
  return planted.secrets.filter((s) => texts.some((t) => t.includes(s.value))).map((s) => `${s.format} (${s.path})`);
}

/** What the palette's workspace corpus decides for each file (workspaceCorpus.ts calls exactly these). */
function paletteCorpus(root: string, files: readonly string[]) {
  const gitignore = new GitignoreMatcher();
  const kept: CorpusFile[] = [];
  const excluded: ExcludedFile[] = [];
  for (const relative of files) {
    const byPath = excludeByPath(relative, false, gitignore);
    if (byPath) {
      excluded.push({ path: relative, ...byPath });
      continue;
    }
    const judged = judgeFile(readFileSync(path.join(root, relative)), MAX_FILE_BYTES);
    if ('text' in judged) kept.push({ path: relative, text: judged.text });
    else excluded.push({ path: relative, ...judged });
  }
  return finishCorpus(kept, excluded);
}

describe('planted secrets through every corpus path', () => {
  let root: string;
  let planted: PlantedWorkspace;

  before(() => {
    root = mkdtempSync(path.join(tmpdir(), 'seqlab-secrets-'));
    planted = plantSecrets(root);
  });

  after(() => rmSync(root, { recursive: true, force: true }));

  it('plants at least 70 secrets in at least 25 formats, each really in its file', () => {
    assert.ok(planted.secrets.length >= 70, `${planted.secrets.length} secrets`);
    assert.ok(new Set(planted.secrets.map((s) => s.format)).size >= 25);
    for (const s of planted.secrets) assert.ok(readFileSync(path.join(root, s.path), 'utf8').includes(s.value), s.path);
    assert.ok(planted.ordinary.size >= 25, `${planted.ordinary.size} ordinary files`);
  });

  const checkCorpus = (texts: readonly string[], keptPaths: readonly string[] | null) => {
    assert.deepEqual(leaked(planted, texts), []);
    for (const [file, text] of planted.ordinary) {
      assert.ok(texts.includes(text), `ordinary file ${file} was lost`);
      if (keptPaths) assert.ok(keptPaths.includes(file), file);
    }
    // Nothing but the ordinary files is kept: every planted file was left out.
    assert.equal(texts.length, planted.ordinary.size);
  };

  it('seqlab train/eval (the CLI folder reader): 0 secrets in, 0 ordinary files lost', () => {
    const corpus = readCorpus(root);
    checkCorpus(corpus.files.map((f) => f.text), corpus.files.map((f) => f.path));
    // Each planted file was refused as a secret, itself or with its credential folder (not entered).
    const refused = corpus.excluded.filter((e) => e.reason === 'secret');
    for (const s of planted.secrets) {
      assert.ok(refused.some((e) => e.path === s.path || (e.path.endsWith('/') && s.path.startsWith(e.path))), s.path);
    }
  });

  it('training from the palette (the workspace corpus policy): 0 secrets in, 0 ordinary files lost', () => {
    const corpus = paletteCorpus(root, planted.files);
    checkCorpus(corpus.files.map((f) => f.text), corpus.files.map((f) => f.path));
  });

  it('the workspace n-gram worker: 0 secrets in, 0 ordinary files lost', async () => {
    const files = planted.files.map((relative) => ({ absolute: path.join(root, relative), relative }));
    const { texts, skipped } = await readTexts(files, 512 * 1024, 3_000_000);
    checkCorpus(texts, null);
    assert.equal(skipped, planted.secrets.length);
  });

  it('the sample workspace (545 KB of real code) loses no file to the scanner', () => {
    const corpus = readCorpus(path.join(__dirname, '..', '..', '..', 'sample-workspace'));
    assert.ok(corpus.files.length > 150);
    assert.deepEqual(corpus.excluded.filter((e) => e.reason === 'secret'), []);
  });
});

describe('secret scanner', () => {
  it('knows at least 40 provider formats', () => {
    assert.ok(PROVIDER_KINDS.length >= 40, `${PROVIDER_KINDS.length}`);
  });

  it('names paths: credential folders anywhere, environment and key files', () => {
    const cases: Array<[string, string | null]> = [
      ['a/.ssh/known_hosts', '.ssh folder'],
      ['.AWS/config', '.aws folder'],
      ['prod.env', 'key or credential file'],
      ['.env.staging', 'environment file'],
      ['id_ed25519_sk.pub', 'SSH key file'],
      ['src/environment.ts', null],
      ['docs/ssh.md', null],
      ['src/keys.ts', null],
    ];
    for (const [p, kind] of cases) assert.equal(secretInPath(p), kind, p);
  });

  it('tells generated values from words and code by entropy', () => {
    assert.ok(Math.abs(shannonEntropy('aabb') - 1) < 1e-12);
    assert.ok(Math.abs(shannonEntropy('abcdefgh') - 3) < 1e-12);
    assert.equal(looksGenerated('q8Zr2LmX0vTn4Kp7Wc1Ys9Hd'), true);
    assert.equal(looksGenerated('thisIsAVeryLongIdentifierName'), false); // no digit
    assert.equal(looksGenerated('process.env.API_TOKEN_2'), false); // code
    assert.equal(looksGenerated('aaaaaaaa11111111'), false); // low entropy
  });

  it('ignores placeholder passwords in URLs and finds real ones', () => {
    assert.equal(findSecret('postgres://${USER}:${PASS}@db/app'), null);
    assert.equal(findSecret('amqp://guest:<password>@mq'), null);
    assert.equal(findSecret('https://user:changeme@example.org'), null);
    assert.equal(findSecret('redis://default:' + 'k9' + 'Xq2mZ7@cache:6379'), 'password in a URL');
  });

  it('scans a megabyte of base64 in linear time', () => {
    let text = '';
    for (let i = 0; text.length < MAX_FILE_BYTES; i++) text += `token_${i % 10}=`.repeat(3) + 'Ab0+/'.repeat(40);
    const started = performance.now();
    findSecret(text);
    assert.ok(performance.now() - started < 5000);
  });
});
