import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { SequenceLabApi } from '../../../src/extension/extension';
import type { BackendReport } from '../../../src/extension/playgroundPanel';

const EXTENSION_ID = 'seqlab.sequence-lab';

function manifest(): {
  contributes: {
    commands: Array<{ command: string; title: string; category: string }>;
    configuration: { properties: Record<string, { description?: string; default?: unknown }> };
  };
} {
  return vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON;
}

/** The checkout this suite was built in (its dist/cli.js and models/). */
function repoRoot(): string {
  for (let dir = __dirname; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
  }
  throw new Error('no checkout above the suite');
}

describe(`Sequence Lab in VS Code ${vscode.version}`, () => {
  let api: SequenceLabApi;

  before(async () => {
    const extension = vscode.extensions.getExtension<SequenceLabApi>(EXTENSION_ID);
    assert.ok(extension, `${EXTENSION_ID} is not installed`);
    api = await extension.activate();
    assert.equal(extension.isActive, true);
  });

  it('runs inside a real extension host', () => {
    assert.match(vscode.version, /^\d+\.\d+\.\d+/);
    assert.ok(vscode.workspace.workspaceFolders?.length, 'the fixture workspace is open');
  });

  it('registers every contributed command', async () => {
    const registered = new Set(await vscode.commands.getCommands(true));
    const contributed = manifest().contributes.commands;
    assert.ok(contributed.length >= 8);
    for (const { command, category } of contributed) {
      assert.equal(category, 'Sequence Lab');
      assert.ok(registered.has(command), `${command} is not registered`);
    }
  });

  it('exports a model to ONNX with the same bytes as `seqlab export-onnx`', async function () {
    this.timeout(120_000);
    const dir = mkdtempSync(path.join(os.tmpdir(), 'seqlab-onnx-'));
    const written = await vscode.commands.executeCommand<string[]>('seqlab.exportOnnx', 'builtin:lstm-small-js', vscode.Uri.file(path.join(dir, 'host.onnx')));
    assert.deepEqual(written, [path.join(dir, 'host.onnx'), path.join(dir, 'host.step.onnx')]);
    const repo = repoRoot();
    execFileSync(process.execPath, [path.join(repo, 'dist', 'cli.js'), 'export-onnx', path.join(repo, 'models', 'lstm-small-js.seqlab'), path.join(dir, 'cli.onnx')], {
      env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
    });
    assert.ok(readFileSync(written[0]).equals(readFileSync(path.join(dir, 'cli.onnx'))), 'full graphs differ');
    assert.ok(readFileSync(written[1]).equals(readFileSync(path.join(dir, 'cli.step.onnx'))), 'step graphs differ');
  });

  it('contributes only seqlab. settings, each described, with defaults that read back', () => {
    const properties = manifest().contributes.configuration.properties;
    const config = vscode.workspace.getConfiguration('seqlab');
    for (const [key, schema] of Object.entries(properties)) {
      assert.ok(key.startsWith('seqlab.'), key);
      assert.ok(schema.description && schema.description.length > 10, `${key} has no description`);
      assert.deepEqual(config.get(key.slice('seqlab.'.length)), schema.default, `${key} default`);
    }
  });

  it('opens the playground, whose webview probes the browser and chooses a training backend', async () => {
    const reported = new Promise<BackendReport>(
      (resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no backend report within 30 s')), 30_000);
        void vscode.commands.executeCommand('seqlab.openPlayground').then(() => {
          const panel = api.playground();
          assert.ok(panel, 'playground panel exists');
          if (panel.backendReport) {
            clearTimeout(timer);
            resolve(panel.backendReport);
            return;
          }
          panel.onBackendReport((report) => {
            clearTimeout(timer);
            resolve(report);
          });
        });
      },
    );
    const report = await reported;
    assert.equal(report.probe.wasm, true, 'the CSP lets WebAssembly compile');
    // Headless Chromium has only software GPUs, which must never be chosen over wasm.
    assert.equal(report.choice.backend, 'wasm', report.choice.reason);
    // Close what this test opened, and only that: "close all editors" waits on any editor an
    // earlier suite left asking to be saved.
    api.playground()?.dispose();
  });

  it('focuses the Inside the Model view', async () => {
    await vscode.commands.executeCommand('seqlab.showVisualizer');
  });
});
