import * as assert from 'node:assert/strict';
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

  it('says plainly that a command whose feature has not landed is not available', async () => {
    const said = await vscode.commands.executeCommand<string>('seqlab.exportOnnx');
    assert.match(said, /ONNX export is not available yet/);
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
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('focuses the Inside the Model view', async () => {
    await vscode.commands.executeCommand('seqlab.showVisualizer');
  });
});
