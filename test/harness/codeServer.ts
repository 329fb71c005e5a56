// Runs a real VS Code (code-server, VS Code's server build from the npm registry) on a free
// loopback port with an extensions folder of ours, and stops it by process group.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { createServer } from 'node:net';
import * as path from 'node:path';

/** The checkout: the nearest folder above this built file that holds package.json. */
export const repoRoot = findRepoRoot(__dirname);

function findRepoRoot(from: string): string {
  for (let dir = from; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
  }
  throw new Error(`no package.json above ${from}`);
}
export const scratchRoot = path.join(repoRoot, '.seqlab-test');

export interface CodeServerInstall {
  readonly node: string;
  readonly entry: string;
  readonly version: string;
}

/** Installs (once) and locates Node 24 and code-server in the cache folder. */
export function ensureCodeServer(): CodeServerInstall {
  const out = execFileSync('bash', [path.join(repoRoot, 'scripts', 'ensure-code-server.sh')], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const located = JSON.parse(out.trim().split('\n').pop()!) as { cache: string; node: string; entry: string };
  const version = process.env.SEQLAB_CODE_SERVER_VERSION ?? '4.139.1';
  if (!existsSync(located.node) || !existsSync(located.entry)) throw new Error(`code-server install incomplete under ${located.cache}`);
  return { node: located.node, entry: located.entry, version };
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** A fresh, empty scratch folder for one run (git-ignored; one per process, so runs never collide). */
export function scratchDir(name: string): string {
  const dir = path.join(scratchRoot, `${name}-${process.pid}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Installs a .vsix into an extensions folder with code-server's own CLI, offline. */
export function installVsix(install: CodeServerInstall, vsix: string, extensionsDir: string, userDataDir: string): void {
  execFileSync(install.node, [install.entry, '--extensions-dir', extensionsDir, '--user-data-dir', userDataDir, '--install-extension', vsix], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
}

export interface RunningCodeServer {
  readonly url: string;
  readonly pid: number;
  /** Everything code-server printed so far. */
  readonly log: () => string;
  stop(): Promise<void>;
}

export interface StartOptions {
  readonly workspace: string;
  readonly extensionsDir: string;
  readonly userDataDir: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly port?: number;
  /** Default user settings (written to the user-data folder). */
  readonly settings?: Record<string, unknown>;
}

const QUIET_SETTINGS = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'security.workspace.trust.enabled': false,
  'git.enabled': false,
  'editor.minimap.enabled': false,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'chat.disableAIFeatures': true,
  // Tests edit documents and expect them to stay unsaved.
  'files.autoSave': 'off',
};

export async function startCodeServer(install: CodeServerInstall, options: StartOptions): Promise<RunningCodeServer> {
  const port = options.port ?? (await freePort());
  const settingsDir = path.join(options.userDataDir, 'User');
  mkdirSync(settingsDir, { recursive: true });
  writeFileSync(path.join(settingsDir, 'settings.json'), JSON.stringify({ ...QUIET_SETTINGS, ...options.settings }, null, 2));
  const args = [
    install.entry,
    '--auth', 'none',
    '--bind-addr', `127.0.0.1:${port}`,
    '--extensions-dir', options.extensionsDir,
    '--user-data-dir', options.userDataDir,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    options.workspace,
  ];
  // Its own process group, so stop() ends code-server and every process it started.
  const child: ChildProcess = spawn(install.node, args, {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...options.env },
  });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const url = `http://127.0.0.1:${port}/?folder=${encodeURIComponent(options.workspace)}`;
  const running: RunningCodeServer = {
    url,
    pid: child.pid!,
    log: () => output,
    stop: () => stopGroup(child),
  };
  const started = Date.now();
  while (!/HTTP server listening/i.test(output)) {
    if (child.exitCode !== null) throw new Error(`code-server exited early:\n${output}`);
    if (Date.now() - started > 60_000) {
      await running.stop();
      throw new Error(`code-server did not start within 60 s:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return running;
}

async function stopGroup(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.pid === undefined) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    process.kill(-child.pid, 'SIGTERM');
  } catch {
    return;
  }
  const timer = setTimeout(() => {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }, 5000);
  await exited;
  clearTimeout(timer);
}
