// The vscode-tier suite: mocha inside a real VS Code extension host. Two launchers run it:
// the runner extension under code-server (test/vscode/runnerExtension.ts) and
// @vscode/test-electron (which loads this module's `run`).
import Mocha from 'mocha';
import { readdirSync } from 'node:fs';
import * as path from 'node:path';

export interface SuiteResult {
  readonly passed: number;
  readonly failed: number;
  readonly failures: ReadonlyArray<{ title: string; error: string }>;
}

/** Runs every `*.test.js` in `suiteDir` (the built suite folder), or the tests whose titles match `grep`. */
export function runSuite(suiteDir: string, log: (line: string) => void, grep?: string): Promise<SuiteResult> {
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 60_000, ...(grep ? { grep } : {}) });
  for (const f of readdirSync(suiteDir).filter((n) => n.endsWith('.test.js')).sort()) {
    mocha.addFile(path.join(suiteDir, f));
  }
  return new Promise((resolve) => {
    let passed = 0;
    const failures: Array<{ title: string; error: string }> = [];
    const runner = mocha.run(() => resolve({ passed, failed: failures.length, failures }));
    runner.on('suite', (s: Mocha.Suite) => s.title && log(`${'  '.repeat(depth(s))}${s.title}`));
    runner.on('pass', (t: Mocha.Test) => {
      passed++;
      log(`${'  '.repeat(depth(t))}✔ ${t.title} (${t.duration ?? 0} ms)`);
    });
    runner.on('fail', (t: Mocha.Test, err: Error) => {
      failures.push({ title: t.fullTitle(), error: err.stack ?? String(err) });
      log(`${'  '.repeat(depth(t))}✘ ${t.title}\n${err.stack ?? err}`);
    });
  });
}

function depth(node: Mocha.Runnable | Mocha.Suite): number {
  let d = 0;
  for (let p = node.parent; p && !p.root; p = p.parent) d++;
  return node instanceof Mocha.Suite ? d : d + 1;
}

/** Entry point for @vscode/test-electron's extensionTestsPath. */
export async function run(): Promise<void> {
  const result = await runSuite(__dirname, (line) => console.log(line));
  if (result.failed > 0) throw new Error(`${result.failed} vscode-tier tests failed`);
}
