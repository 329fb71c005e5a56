// Playground panel: shows which backend training would use here and why.
import { chooseBackend, type BackendProbe } from '../../src/core/backendChoice';
import type { InitMessage } from '../../src/protocol';
import { connect, el, postToHost } from '../shared/host';
import { probeBackends } from './backendProbe';

const app = document.getElementById('app')!;

function yesNo(value: boolean): string {
  return value ? 'yes' : 'no';
}

function render(init: InitMessage, probe: BackendProbe): void {
  const choice = chooseBackend(probe, init.preferredBackend);
  postToHost({ type: 'backendReport', probe, choice });
  const rows: Array<[string, string]> = [
    ['WebGPU adapter', probe.webgpuAdapter ? (probe.webgpuSoftware ? 'software fallback' : 'hardware') : 'none'],
    ['WebGL2', probe.webgl2 ? (probe.webglRenderer ?? 'unknown renderer') : 'none'],
    ['WebAssembly', `${yesNo(probe.wasm)}${probe.wasm ? `, SIMD ${yesNo(probe.wasmSimd)}` : ''}`],
  ];
  app.replaceChildren(
    el('h1', {}, 'Sequence Lab Playground'),
    el('section', { 'aria-labelledby': 'backend-heading' },
      el('h2', { id: 'backend-heading' }, 'Training backend'),
      el('p', { id: 'backend-choice', 'data-backend': choice.backend }, el('strong', {}, choice.backend), ` — ${choice.reason}`),
      el('table', { 'aria-label': 'What this browser offers' },
        ...rows.map(([k, v]) => el('tr', {}, el('th', { scope: 'row' }, k), el('td', {}, v)))),
    ),
    el('p', { class: 'muted' },
      'Training on the workspace is not available yet in this version; this panel will host it.'),
    el('p', { class: 'muted' }, `Sequence Lab ${init.extensionVersion}`),
  );
}

connect({
  init: (init) => {
    app.replaceChildren(el('p', {}, 'Probing backends…'));
    void probeBackends().then((probe) => render(init, probe));
  },
});
