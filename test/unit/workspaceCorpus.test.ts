// The pure parts of training on a workspace: what is never trained on (secrets, binaries),
// .gitignore rules, the total cap's even sampling, languages, the summary shown before training,
// chunked tokenization (equal to the one-shot tokenizer) and the backend fallback order.
import * as assert from 'node:assert/strict';
import type { BackendProbe } from '../../src/core/backend/choice';
import { backendCandidates } from '../../src/core/backend/fallback';
import { decodeText, sampleEvenly } from '../../src/core/corpus/filters';
import { GitignoreMatcher } from '../../src/core/corpus/gitignore';
import { findSecret, secretInPath } from '../../src/core/corpus/secrets';
import { languageOf, languageShares } from '../../src/core/corpus/languages';
import { summarizeCorpus, type CorpusDescription } from '../../src/core/corpus/summary';
import { splitTexts } from '../../src/core/corpus/splitTexts';
import { buildTokenizerInChunks, encodeInChunks, splitEncoded } from '../../src/core/corpus/tokenizeInChunks';
import { buildTokenizer } from '../../src/core/tokenizers';

// Fake secrets are assembled at run time so this file does not itself look like one.
const fake = {
  github: 'gh' + 'p_' + 'a1B2c3D4e5'.repeat(4),
  aws: 'AK' + 'IA' + 'ABCDEFGHIJKLMNOP',
  slack: 'xo' + 'xb-' + '123456789012-abcdefABCDEF',
  pem: ['-----BEGIN', 'OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXk=\n-----END OPENSSH PRIVATE KEY-----'].join(' '),
  google: 'AI' + 'za' + 'Sy'.padEnd(35, 'x'),
  npm: 'np' + 'm_' + 'Z'.repeat(36),
  jwt: 'ey' + 'JhbGciOiJIUzI1NiJ9.' + 'ey' + 'JzdWIiOiIxMjM0NTY3ODkwIn0.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c',
};

describe('workspace corpus: secrets and binaries', () => {
  it('refuses secret files by name before reading them', () => {
    for (const name of ['.env', '.env.local', '.ENV.production', 'server.pem', 'tls.key', 'ca.crt', 'store.p12', 'id_rsa', 'id_ed25519.pub', '.npmrc', '.netrc', 'putty.ppk']) {
      assert.equal(secretInPath(name) !== null, true, name);
    }
    for (const name of ['env.ts', 'environment.js', 'keys.js', 'key.txt', 'pem.md', 'my_id_rsa.txt', 'monkey.ts', 'certificate.md']) {
      assert.equal(secretInPath(name) !== null, false, name);
    }
  });

  it('refuses whole credential folders', () => {
    assert.equal(secretInPath('home/.ssh/known_hosts'), '.ssh folder');
    assert.equal(secretInPath('.aws/config'), '.aws folder');
    assert.equal(secretInPath('x/.docker/config.json'), '.docker folder');
    assert.equal(secretInPath('.gnupg'), '.gnupg folder');
    assert.equal(secretInPath('src/.env.test'), 'environment file');
    assert.equal(secretInPath('deploy/prod.env'), 'key or credential file');
    assert.equal(secretInPath('src/ssh/client.ts'), null);
  });

  it('names the well-known secret format a text contains, and finds none in ordinary code', () => {
    assert.equal(findSecret(`const token = "${fake.github}";`), 'GitHub token');
    assert.equal(findSecret(`aws_access_key_id = ${fake.aws}`), 'AWS access key');
    assert.equal(findSecret(`SLACK=${fake.slack}`), 'Slack token');
    assert.equal(findSecret(`key:\n${fake.pem}\n`), 'private key block');
    assert.equal(findSecret(`k = '${fake.google}'`), 'Google API key');
    assert.equal(findSecret(`//registry.npmjs.org/:_authToken=${fake.npm}`), 'npm token');
    assert.equal(findSecret(`Authorization: Bearer ${fake.jwt}`), 'JSON Web Token');
    assert.equal(findSecret('-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----'), null);
    assert.equal(findSecret('function ghp() { return AKIA; } // sk-short, eyJ.eyJ.x'), null);
  });

  it('treats NUL bytes and invalid UTF-8 as binary', () => {
    assert.equal(decodeText(new TextEncoder().encode('héllo 😀')), 'héllo 😀');
    assert.equal(decodeText(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00])), null);
    assert.equal(decodeText(new Uint8Array([0x61, 0xc3])), null);
  });
});

describe('workspace corpus: total cap', () => {
  it('keeps everything that fits', () => {
    assert.deepEqual(sampleEvenly([5, 5, 5], 15), [true, true, true]);
  });

  it('keeps files spread evenly over the list and stays under the cap', () => {
    const sizes = Array.from({ length: 20 }, () => 10);
    const keep = sampleEvenly(sizes, 50);
    assert.deepEqual(
      keep.map((k, i) => (k ? i : -1)).filter((i) => i >= 0),
      [1, 5, 9, 13, 17],
    );
  });

  it('never exceeds the cap with uneven sizes, and skips a file larger than the cap', () => {
    const sizes = [300, 5, 80, 7, 120, 1, 60, 45, 33, 200, 9];
    const cap = 250;
    const keep = sampleEvenly(sizes, cap);
    const total = sizes.reduce((s, n, i) => s + (keep[i] ? n : 0), 0);
    assert.ok(total <= cap, `kept ${total}`);
    assert.equal(keep[0], false, 'a file larger than the cap is never kept');
    assert.ok(keep.slice(0, 5).some(Boolean) && keep.slice(6).some(Boolean), 'both halves contribute');
  });
});

describe('.gitignore rules', () => {
  const matcher = new GitignoreMatcher()
    .add('', ['# comment', '', '*.log', '!keep.log', 'build/', '/root-only.txt', 'docs/**/draft-*.md', 'tmp?', '\\#hash'].join('\n'))
    .add('pkg', 'generated\n!generated/keep.js\n*.snap\n');
  const cases: Array<[string, boolean]> = [
    ['a.log', true],
    ['deep/er/b.log', true],
    ['keep.log', false],
    ['build/out.js', true],
    ['src/build/out.js', true],
    ['build', false], // a file named build: the pattern is for folders
    ['root-only.txt', true],
    ['src/root-only.txt', false],
    ['docs/a/b/draft-1.md', true],
    ['docs/draft-2.md', true],
    ['docs/final.md', false],
    ['tmp1', true],
    ['tmp12', false],
    ['#hash', true],
    ['pkg/generated/x.js', true],
    ['pkg/generated/keep.js', true], // inside an ignored folder: cannot be re-included
    ['pkg/a.snap', true],
    ['other/a.snap', false],
    ['src/index.ts', false],
  ];
  for (const [file, ignored] of cases) {
    it(`${file} is ${ignored ? '' : 'not '}ignored`, () => assert.equal(matcher.isIgnored(file), ignored));
  }
});

describe('corpus languages and summary', () => {
  it('names languages by extension and file name', () => {
    assert.deepEqual(['a/b.ts', 'x.JS', 'Makefile', 'notes', 'data.xyz', '.env'].map(languageOf), [
      'TypeScript', 'JavaScript', 'Makefile', 'Other', 'XYZ', 'Other',
    ]);
    assert.deepEqual(languageShares([{ path: 'a.js', characters: 10 }, { path: 'b.md', characters: 30 }, { path: 'c.mjs', characters: 5 }]), [
      { language: 'Markdown', characters: 30 },
      { language: 'JavaScript', characters: 15 },
    ]);
  });

  it('says what is trained on and what was left out, secrets first', () => {
    const description: CorpusDescription = {
      folders: ['app'],
      files: 12,
      characters: 34_567,
      languages: [
        { language: 'JavaScript', characters: 30_000 },
        { language: 'Markdown', characters: 4_500 },
        { language: 'JSON', characters: 67 },
      ],
      excluded: { binary: 1, secret: 2, gitignored: 4 },
      excludedExamples: { binary: ['logo.png'], secret: ['.env', 'certs/server.pem'], gitignored: ['a.log', 'b.log', 'c.log', 'd.log'] },
      include: ['**/*'],
      exclude: ['**/node_modules/**'],
    };
    const text = summarizeCorpus(description);
    assert.equal(text.headline, '12 files, 34,567 characters: JavaScript 87%, Markdown 13%, JSON <1%');
    assert.deepEqual(text.excluded, [
      '2 secrets: .env, certs/server.pem',
      '1 binary file: logo.png',
      '4 files ignored by .gitignore: a.log, b.log, c.log, …',
    ]);
    assert.equal(text.patterns, 'Never searched: **/node_modules/**');
  });
});

describe('tokenizing in chunks', () => {
  const texts = ['function add(a, b) {\n  return a + b;\n}\n', 'const π = 3.14159; // 😀 émoji\n', 'x'.repeat(3000), 'let y = add(1, 2);\n'];
  const chunks = (log: number[]) => ({
    chunkChars: 100,
    yieldNow: () => {
      log.push(1);
      return Promise.resolve();
    },
  });

  for (const kind of ['char', 'word'] as const) {
    it(`builds the same ${kind} tokenizer as buildTokenizer, pausing between chunks`, async () => {
      const pauses: number[] = [];
      const many = [...texts, ...texts, ...texts];
      const chunked = await buildTokenizerInChunks(kind, many, chunks(pauses), { maxVocab: kind === 'char' ? 20 : 300 });
      assert.deepEqual(chunked.toJSON(), buildTokenizer(kind, many, { maxVocab: kind === 'char' ? 20 : 300 }).toJSON());
      assert.ok(pauses.length >= 3, `paused ${pauses.length} times`);
    });
  }

  it('encodes into one 16-bit array with per-text lengths, equal to encode()', async () => {
    const tokenizer = buildTokenizer('word', texts);
    const encoded = await encodeInChunks(tokenizer, texts, chunks([]));
    assert.ok(encoded.tokens instanceof Uint16Array);
    const views = splitEncoded(encoded);
    assert.deepEqual(
      views.map((v) => Array.from(v)),
      texts.map((t) => tokenizer.encode(t)),
    );
  });

  it('stops when cancelled', async () => {
    let cancelled = false;
    const run = buildTokenizerInChunks('char', texts, {
      chunkChars: 10,
      yieldNow: async () => {
        cancelled = true;
      },
      isCancelled: () => cancelled,
    });
    await assert.rejects(run, /cancelled/);
  });
});

describe('train/validation split of texts', () => {
  it('holds out whole files like the token-level split, keeping extra fields', () => {
    const files = Array.from({ length: 10 }, (_, i) => ({ path: `f${i}.js`, text: `line ${i}\n`.repeat(5 + i), uri: `u${i}` }));
    const split = splitTexts(files, { seed: 3 });
    assert.equal(split.splitBy, 'file');
    assert.equal(split.train.length + split.validation.length, 10);
    assert.ok(split.validation.length >= 1);
    assert.ok(split.validation.every((f) => f.uri === `u${f.path.slice(1, -3)}`));
  });

  it('cuts a lone file in two', () => {
    const split = splitTexts([{ path: 'only.txt', text: 'abcdefghij'.repeat(10) }]);
    assert.equal(split.splitBy, 'position');
    assert.equal(split.train[0].text + split.validation[0].text, 'abcdefghij'.repeat(10));
    assert.equal(split.validation[0].text.length, 10);
  });
});

describe('training backend fallback order', () => {
  const headless: BackendProbe = { webgpuAdapter: true, webgpuSoftware: true, webgl2: true, webglRenderer: 'ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device))', wasm: true, wasmSimd: true };
  const gpu: BackendProbe = { webgpuAdapter: true, webgpuSoftware: false, webgl2: true, webglRenderer: 'ANGLE (NVIDIA GeForce RTX 4090)', wasm: true, wasmSimd: true };
  const all = ['webgpu', 'webgl', 'wasm', 'cpu'] as const;

  it('headless Chromium: wasm, then cpu (software GPUs never)', () => {
    assert.deepEqual(backendCandidates(headless, 'auto', all).map((c) => c.backend), ['wasm', 'cpu']);
  });

  it('a hardware GPU: WebGPU, WebGL, wasm, cpu', () => {
    assert.deepEqual(backendCandidates(gpu, 'auto', all).map((c) => c.backend), ['webgpu', 'webgl', 'wasm', 'cpu']);
  });

  it('skips WebGPU when its backend is not bundled, and says so', () => {
    const candidates = backendCandidates(gpu, 'auto', ['webgl', 'wasm', 'cpu']);
    assert.deepEqual(candidates.map((c) => c.backend), ['webgl', 'wasm', 'cpu']);
    assert.match(candidates[0].reason, /webgpu is not bundled in this build; next best: WebGL2 \(ANGLE \(NVIDIA/);
  });

  it('a forced software WebGL is honoured, with wasm behind it', () => {
    const candidates = backendCandidates(headless, 'webgl', all);
    assert.deepEqual(candidates.map((c) => c.backend), ['webgl', 'wasm', 'cpu']);
    assert.match(candidates[0].reason, /forced/);
  });
});
