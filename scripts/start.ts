// `npm start`: a real VS Code (code-server) with the freshly packaged extension, opened on
// the sample workspace. Prints the URL and runs until interrupted.
import * as path from 'node:path';
import { ensureCodeServer, freePort, installVsix, repoRoot, scratchDir, startCodeServer } from '../test/harness/codeServer';

async function main(): Promise<void> {
  const install = ensureCodeServer();
  const root = scratchDir('start');
  const extensionsDir = path.join(root, 'extensions');
  const userDataDir = path.join(root, 'user-data');
  installVsix(install, path.join(repoRoot, 'dist', 'sequence-lab.vsix'), extensionsDir, userDataDir);
  const workspace = process.env.SEQLAB_WORKSPACE ?? path.join(repoRoot, 'sample-workspace');
  const port = Number(process.env.SEQLAB_PORT) || (await freePort());
  const server = await startCodeServer(install, { workspace, extensionsDir, userDataDir, port });
  console.log(`\nSequence Lab is running in VS Code ${install.version.startsWith('4.') ? '(code-server ' + install.version + ')' : install.version}`);
  console.log(`Open ${server.url}\n(Ctrl+C stops it)`);
  const stop = () => void server.stop().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
