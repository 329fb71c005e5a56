// Runs the vscode-tier suite inside a real VS Code extension host: code-server with the
// packaged .vsix installed and a test-runner extension, woken by a headless Chromium.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { launchBrowser, openWorkbench } from './browser';
import { ensureCodeServer, installVsix, repoRoot, scratchDir, startCodeServer } from './codeServer';

const SUITE_TIMEOUT_MS = 10 * 60_000;

async function main(): Promise<number> {
  const vsix = path.join(repoRoot, 'dist', 'sequence-lab.vsix');
  if (!existsSync(vsix)) throw new Error(`${vsix} is missing: run \`npm run package\` first`);
  const install = ensureCodeServer();
  const root = scratchDir('vscode');
  const extensionsDir = path.join(root, 'extensions');
  const userDataDir = path.join(root, 'user-data');
  const workspace = path.join(root, 'workspace');
  cpSync(path.join(repoRoot, 'test', 'fixtures', 'basic'), workspace, { recursive: true });
  installVsix(install, vsix, extensionsDir, userDataDir);
  installVsix(install, packageRunnerExtension(path.join(root, 'runner')), extensionsDir, userDataDir);

  const resultFile = path.join(root, 'result.json');
  const server = await startCodeServer(install, {
    workspace,
    extensionsDir,
    userDataDir,
    env: { SEQLAB_TEST_RESULTS: resultFile },
  });
  const browser = await launchBrowser();
  try {
    console.log(`[vscode tier] code-server ${install.version} at ${server.url} (pid ${server.pid})`);
    await openWorkbench(browser, server.url);
    const result = await waitForResult(resultFile);
    process.stdout.write(readFileSync(`${resultFile}.log`, 'utf8'));
    console.log(`[vscode tier] ran inside VS Code ${result.vscodeVersion} (${result.appName})`);
    console.log(`${result.passed} passed, ${result.failed} failed`);
    return result.failed === 0 && result.passed > 0 ? 0 : 1;
  } catch (error) {
    if (existsSync(`${resultFile}.log`)) process.stdout.write(readFileSync(`${resultFile}.log`, 'utf8'));
    console.error(server.log().slice(-4000));
    throw error;
  } finally {
    await browser.close();
    await server.stop();
  }
}

/**
 * A test-only extension whose main re-exports the built runner, packaged as a .vsix: code-server
 * drops unpacked folders that its extensions.json does not list.
 */
function packageRunnerExtension(dir: string): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    path.join(dir, 'package.json'),
    JSON.stringify({
      name: 'sequence-lab-test-runner',
      publisher: 'seqlab',
      version: '0.0.1',
      engines: { vscode: '^1.90.0' },
      activationEvents: ['onStartupFinished'],
      main: './runner.js',
      repository: 'https://example.invalid/sequence-lab',
      license: 'MIT',
    }),
  );
  writeFileSync(path.join(dir, 'LICENSE'), 'MIT\n');
  writeFileSync(path.join(dir, 'README.md'), 'Runs the Sequence Lab vscode-tier suite.\n');
  const runner = path.join(repoRoot, 'out', 'test', 'vscode', 'runnerExtension.js');
  writeFileSync(path.join(dir, 'runner.js'), `module.exports = require(${JSON.stringify(runner)});\n`);
  const out = path.join(dir, 'runner.vsix');
  execFileSync(path.join(repoRoot, 'node_modules', '.bin', 'vsce'), ['package', '--no-dependencies', '--out', out], {
    cwd: dir,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return out;
}

interface Result {
  passed: number;
  failed: number;
  vscodeVersion: string;
  appName: string;
}

async function waitForResult(file: string): Promise<Result> {
  const started = Date.now();
  while (!existsSync(file)) {
    if (Date.now() - started > SUITE_TIMEOUT_MS) throw new Error('the vscode-tier suite did not report within 10 minutes');
    await new Promise((r) => setTimeout(r, 250));
  }
  return JSON.parse(readFileSync(file, 'utf8')) as Result;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
