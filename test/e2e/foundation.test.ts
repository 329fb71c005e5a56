import * as assert from 'node:assert/strict';
import { e2e, inWebview, openFile, paletteEntriesOnceListed, runCommand, screenshot, until } from './workbench';

describe('Sequence Lab in code-server, driven as a person would', () => {
  it('lists its commands in the command palette', async () => {
    const entries = await paletteEntriesOnceListed('Sequence Lab:');
    await screenshot('command-palette');
    for (const title of [
      'Sequence Lab: Train Model on Workspace',
      'Sequence Lab: Open Playground',
      'Sequence Lab: Show Inside the Model',
      'Sequence Lab: Select Active Model',
      'Sequence Lab: Export Model (ONNX)',
    ]) {
      assert.ok(entries.some((e) => e.startsWith(title)), `${title} missing from: ${entries.join(' | ')}`);
    }
    await e2e().page.keyboard.press('Escape');
  });

  it('opens the playground, whose webview shows the training backend it chose and why', async () => {
    await runCommand('Sequence Lab: Open Playground');
    const choice = await inWebview('#backend-choice');
    const text = await choice.innerText();
    await screenshot('playground');
    // Headless Chromium offers only software GPUs, which lose to wasm.
    assert.equal(await choice.getAttribute('data-backend'), 'wasm');
    assert.match(text, /software|no WebGPU/);
  });

  it('shows the Inside the Model view following the active editor', async () => {
    await openFile('underscore/map.js');
    await runCommand('Sequence Lab: Show Inside the Model');
    // The view's webview can take a while to load on a busy 2-core machine (once over 30 s in a full run).
    const subject = await inWebview('#subject', 90_000);
    // The view says "Waiting for an editor…" until the host's first cursor message arrives.
    const text = await until('the view\'s subject', () => subject.innerText(), (t) => !t.startsWith('Waiting'), 30_000);
    await screenshot('inside-the-model');
    assert.match(text, /Following underscore\/map\.js/);
  });
});
