// The same vscode-tier suite through @vscode/test-electron, for machines that can download
// VS Code (it fetches a build from Microsoft's update service; unreachable on some machines,
// where `npm run test:vscode` runs the suite in code-server instead).
import { cpSync } from 'node:fs';
import * as path from 'node:path';
import { runTests } from '@vscode/test-electron';
import { repoRoot, scratchDir } from './codeServer';

async function main(): Promise<void> {
  const workspace = path.join(scratchDir('electron'), 'workspace');
  cpSync(path.join(repoRoot, 'test', 'fixtures', 'basic'), workspace, { recursive: true });
  await runTests({
    extensionDevelopmentPath: repoRoot,
    extensionTestsPath: path.join(repoRoot, 'out', 'test', 'vscode', 'suite', 'index.js'),
    launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust'],
  });
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
