// e2e tier: Debian's Chromium drives code-server (with the packaged extension installed) on a
// copy of the sample workspace; screenshots go to test-results/ (git-ignored).
import { execSync } from 'node:child_process';
import { cpSync, existsSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';
import { launchBrowser, openWorkbench } from './browser';
import { ensureCodeServer, installVsix, repoRoot, scratchDir, startCodeServer } from './codeServer';
import { setE2eContext } from '../e2e/workbench';

async function main(): Promise<number> {
  const vsix = path.join(repoRoot, 'dist', 'sequence-lab.vsix');
  if (!existsSync(vsix)) execSync('npm run package', { cwd: repoRoot, stdio: 'inherit' });
  const install = ensureCodeServer();
  const root = scratchDir('e2e');
  const extensionsDir = path.join(root, 'extensions');
  const userDataDir = path.join(root, 'user-data');
  const workspace = path.join(root, 'workspace');
  cpSync(path.join(repoRoot, 'sample-workspace'), workspace, { recursive: true });
  installVsix(install, vsix, extensionsDir, userDataDir);

  // SEQLAB_TRACE_COMPLETIONS: the extension logs each completion request (test/e2e/completions.test.ts counts them).
  const server = await startCodeServer(install, { workspace, extensionsDir, userDataDir, env: { SEQLAB_TRACE_COMPLETIONS: '1' } });
  const browser = await launchBrowser();
  try {
    console.log(`[e2e tier] code-server ${install.version} at ${server.url} (pid ${server.pid})`);
    const page = await openWorkbench(browser, server.url);
    // The explorer shows the workspace once the extension host and file service are up.
    await page.locator('.explorer-folders-view .monaco-list-row').first().waitFor({ timeout: 60_000 });
    setE2eContext({ page, workspace, screenshotDir: path.join(repoRoot, 'test-results', 'e2e') });

    // SEQLAB_E2E_GREP runs only the tests whose titles match (while working on one).
    const mocha = new Mocha({ ui: 'bdd', timeout: 90_000, color: false, grep: process.env.SEQLAB_E2E_GREP });
    const specDir = path.join(__dirname, '..', 'e2e');
    for (const f of readdirSync(specDir).filter((n) => n.endsWith('.test.js')).sort()) mocha.addFile(path.join(specDir, f));
    const failures = await new Promise<number>((resolve) => mocha.run(resolve));
    console.log(`[e2e tier] screenshots in ${path.relative(repoRoot, path.join(repoRoot, 'test-results', 'e2e'))}/`);
    return failures === 0 ? 0 : 1;
  } catch (error) {
    console.error(server.log().slice(-4000));
    throw error;
  } finally {
    await browser.close();
    await server.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
