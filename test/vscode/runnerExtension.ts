// A test-only extension that runs the vscode-tier suite inside code-server's extension host
// and writes the outcome where the harness waits for it (SEQLAB_TEST_RESULTS).
import * as vscode from 'vscode';
import { appendFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { runSuite } from './suite/index';

export async function activate(): Promise<void> {
  const resultFile = process.env.SEQLAB_TEST_RESULTS;
  if (!resultFile) return;
  const logFile = `${resultFile}.log`;
  writeFileSync(logFile, `VS Code ${vscode.version} (${vscode.env.appName}, ${vscode.env.appHost}), extension host pid ${process.pid}\n`);
  try {
    // SEQLAB_VSCODE_GREP (from the harness's environment) runs a part of the suite.
    const result = await runSuite(path.join(__dirname, 'suite'), (line) => appendFileSync(logFile, `${line}\n`), process.env.SEQLAB_VSCODE_GREP);
    writeFileSync(resultFile, JSON.stringify({ ...result, vscodeVersion: vscode.version, appName: vscode.env.appName }));
  } catch (error) {
    writeFileSync(resultFile, JSON.stringify({ passed: 0, failed: 1, failures: [{ title: 'suite', error: String(error) }], vscodeVersion: vscode.version }));
  }
}
