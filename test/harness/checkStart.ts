// `npm start` as the README states it: run the entry point, wait for the URL it prints, open it
// in Chromium and see VS Code with the extension's commands in the palette, then stop it all.
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { launchBrowser, openWorkbench } from './browser';
import { freePort, repoRoot } from './codeServer';
import { paletteEntriesOnceListed, screenshot, setE2eContext } from '../e2e/workbench';

const URL_TIMEOUT_MS = 20 * 60_000; // the first run installs Node 24 and code-server
const EXPECTED = ['Sequence Lab: Train Model on Workspace', 'Sequence Lab: Open Playground', 'Sequence Lab: Show Inside the Model'];

async function main(): Promise<void> {
  const port = await freePort();
  // Its own process group, so one signal stops npm, the start script and code-server.
  const child = spawn('npm', ['start'], {
    cwd: repoRoot,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, SEQLAB_PORT: String(port) },
  });
  let output = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const stop = async () => {
    if (child.exitCode !== null) return;
    try {
      process.kill(-child.pid!, 'SIGTERM');
    } catch {
      return;
    }
    const killed = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), 10_000);
    await exited;
    clearTimeout(killed);
  };
  try {
    const url = await printedUrl(() => output, () => child.exitCode, URL_TIMEOUT_MS);
    console.log(`[start check] npm start printed ${url}`);
    const browser = await launchBrowser();
    try {
      const page = await openWorkbench(browser, url);
      setE2eContext({ page, workspace: path.join(repoRoot, 'sample-workspace'), screenshotDir: path.join(repoRoot, 'test-results', 'start') });
      const entries = await paletteEntriesOnceListed('Sequence Lab:');
      await screenshot('npm-start-palette');
      const missing = EXPECTED.filter((title) => !entries.some((e) => e.startsWith(title)));
      if (missing.length > 0) throw new Error(`the palette lacks ${missing.join(', ')}; it lists: ${entries.join(' | ')}`);
      console.log(`[start check] the workbench lists ${entries.length} Sequence Lab commands`);
    } finally {
      await browser.close();
    }
  } catch (error) {
    console.error(output.slice(-4000));
    throw error;
  } finally {
    await stop();
  }
}

async function printedUrl(output: () => string, exitCode: () => number | null, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const match = /Open (http:\/\/127\.0\.0\.1:\d+\/\S*)/.exec(output());
    if (match) return match[1];
    if (exitCode() !== null) throw new Error(`npm start exited (${exitCode()}) without printing a URL`);
    if (Date.now() > deadline) throw new Error(`npm start printed no URL within ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
