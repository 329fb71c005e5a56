import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';

// The layer rule of src/core (no `vscode`, no DOM, no Node built-ins) is enforced by its own
// typecheck, src/core/tsconfig.json. A file planted under its options must fail to compile; the
// same file under the host's options compiles, so the failure is the layer rule and nothing else.
const repoRoot = path.resolve(__dirname, '../../..');
const tsc = path.join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc');

function compile(planted: string, extendsConfig: string): { ok: boolean; output: string } {
  // Inside the checkout (git-ignored), so module resolution sees node_modules/@types as core would.
  const dir = path.join(repoRoot, '.seqlab-test', `core-layer-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  try {
    writeFileSync(path.join(dir, 'planted.ts'), planted);
    writeFileSync(
      path.join(dir, 'tsconfig.json'),
      JSON.stringify({ extends: extendsConfig, include: ['planted.ts', ...(extendsConfig.includes('core') ? [path.join(repoRoot, 'src/core/universalGlobals.d.ts')] : [])], exclude: [] }),
    );
    const r = spawnSync(process.execPath, [tsc, '--noEmit', '-p', dir], { encoding: 'utf8', timeout: 110_000 });
    return { ok: r.status === 0, output: `${r.error ?? ''}${r.stdout}${r.stderr}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const CORE = path.join(repoRoot, 'src', 'core', 'tsconfig.json');
const HOST = path.join(repoRoot, 'tsconfig.json');

describe('src/core layer rule (its own typecheck)', function () {
  this.timeout(300_000);

  it('rejects an import of vscode that the host typecheck accepts', () => {
    const planted = "import * as vscode from 'vscode';\nexport const x: vscode.Position | undefined = undefined;\n";
    const host = compile(planted, HOST);
    assert.equal(host.ok, true, host.output);
    const core = compile(planted, CORE);
    assert.equal(core.ok, false);
    assert.match(core.output, /universalGlobals\.d\.ts' is not a module/);
  });

  it('rejects the DOM and Node built-ins, and accepts the globals every runtime has', () => {
    const dom = compile('export const width = document.body.clientWidth;\n', CORE);
    assert.equal(dom.ok, false);
    assert.match(dom.output, /Cannot find name 'document'/);
    const node = compile("import { readFileSync } from 'node:fs';\nexport const read = readFileSync;\n", CORE);
    assert.equal(node.ok, false);
    assert.match(node.output, /Cannot find module 'node:fs'/);
    const universal = compile("export const t0 = performance.now();\nexport const bytes = new TextEncoder().encode('x');\n", CORE);
    assert.equal(universal.ok, true, universal.output);
  });
});
