// .gitignore semantics checked against git itself: a temporary repository with nested
// .gitignore files (malformed lines included), every path asked of `git check-ignore`, and the
// same paths asked of GitignoreMatcher and of the CLI's corpus reader.
import * as assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { GitignoreMatcher } from '../../src/core/corpus/gitignore';
import { readCorpus } from '../../src/node/corpus';

const IGNORES: Record<string, string> = {
  '': [
    '# a comment',
    '[z-a]*.bak', // reversed range
    '[[:digit:]]x.txt', // POSIX class
    '[]]y.txt', // ']' first in a class is literal
    '[!a]z.txt',
    '[a-]w.txt',
    'foo[', // unclosed class
    '*.log',
    '!keep.log',
    'build/',
    '/root-only.txt',
    'docs/**/draft-*.md',
    '**/deep/**',
    'tmp?',
    '\\#hash',
    '\\!bang',
    'trailing.txt   ',
    'escaped\\ space.txt\\ ',
    'a/**/b.txt',
    '*.generated.*',
    '[',
    '\\',
    '***.weird',
  ].join('\n'),
  sub: ['*.txt', '!important.txt', '/anchored.js', 'inner/', '!*.log'].join('\n'),
  'sub/inner2': ['!*.txt', 'x*'].join('\n'),
  'build/nested': ['!keep.js'].join('\n'),
};

const PATHS = [
  'a.bak', 'z.bak', 'm.bak', 'x.log', 'keep.log', '1x.txt', 'ax.txt', ']y.txt', 'y.txt', 'bz.txt', 'az.txt', '-w.txt', 'aw.txt',
  'bw.txt', 'foo[', 'fooa', 'root-only.txt', 'src/root-only.txt', 'docs/a/b/draft-1.md', 'docs/draft-2.md', 'docs/final.md',
  'p/deep/q/r.js', 'deep/s.js', 'tmp1', 'tmp12', '#hash', '!bang', 'trailing.txt', 'escaped space.txt ', 'a/b.txt', 'a/x/y/b.txt',
  'c.generated.js', 'generated.js', 'plain.weird', 'x.weird', 'build/out.js', 'build/nested/keep.js', 'src/build/out.js',
  'sub/t.txt', 'sub/important.txt', 'sub/anchored.js', 'sub/deeper/anchored.js', 'sub/inner/f.js', 'sub/a.log', 'sub/inner2/n.txt',
  'sub/inner2/xa.js', 'sub/inner2/y.js', 'src/index.ts', 'src/deeper/x.log',
];

describe('.gitignore against git check-ignore', function () {
  let root: string;
  let gitIgnored: Set<string>;

  before(function () {
    try {
      execFileSync('git', ['--version'], { stdio: 'ignore' });
    } catch {
      this.skip(); // git is part of the development setup; without it there is nothing to compare to
    }
    root = mkdtempSync(path.join(tmpdir(), 'seqlab-gitignore-'));
    execFileSync('git', ['init', '-q', root]);
    for (const [base, content] of Object.entries(IGNORES)) {
      mkdirSync(path.join(root, base), { recursive: true });
      writeFileSync(path.join(root, base, '.gitignore'), content + '\n');
    }
    for (const p of PATHS) {
      mkdirSync(path.dirname(path.join(root, p)), { recursive: true });
      writeFileSync(path.join(root, p), `${p}\n`);
    }
    // Exit code 0: some paths are ignored (1 would mean none, which this fixture never is).
    const out = spawnSync('git', ['-c', 'core.ignorecase=false', 'check-ignore', '--no-index', '--stdin'], {
      cwd: root,
      input: PATHS.join('\n') + '\n',
      encoding: 'utf8',
    });
    assert.equal(out.status, 0, out.stderr);
    gitIgnored = new Set(out.stdout.split('\n').filter((l) => l !== ''));
  });

  after(() => root && rmSync(root, { recursive: true, force: true }));

  it('git itself ignores a good share of the fixture, so the comparison is not vacuous', () => {
    assert.ok(gitIgnored.size >= 20 && gitIgnored.size <= PATHS.length - 10, `${gitIgnored.size} of ${PATHS.length}`);
  });

  it('GitignoreMatcher agrees with git on every path', () => {
    const matcher = new GitignoreMatcher();
    for (const [base, content] of Object.entries(IGNORES)) matcher.add(base, content + '\n');
    const disagreements = PATHS.filter((p) => matcher.isIgnored(p) !== gitIgnored.has(p)).map((p) => `${p} (git: ${gitIgnored.has(p)})`);
    assert.deepEqual(disagreements, []);
  });

  it('the CLI corpus keeps exactly the paths git does not ignore', () => {
    const corpus = readCorpus(root);
    const kept = new Set(corpus.files.map((f) => f.path));
    const expected = PATHS.filter((p) => !gitIgnored.has(p));
    assert.deepEqual(PATHS.filter((p) => kept.has(p)), expected);
    // Ignored folders are not entered at all.
    assert.ok(corpus.excluded.some((e) => e.path === 'build/' && e.reason === 'gitignored'));
  });
});
