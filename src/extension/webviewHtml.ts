// The HTML shell of every webview: a strict CSP (no remote content, nonce'd scripts,
// 'wasm-unsafe-eval' for tfjs's wasm backend), theme-aware CSS and one script bundle.
import * as vscode from 'vscode';
import { randomBytes } from 'node:crypto';

export interface WebviewPage {
  readonly title: string;
  /** Bundle name under dist/webview, e.g. 'playground/main'. */
  readonly script: string;
  /** Needs WebAssembly (tfjs wasm backend, ONNX Runtime). */
  readonly wasm: boolean;
  /** More stylesheets under media/ (e.g. 'visualizer.css'), linked after webview.css. */
  readonly stylesheets?: readonly string[];
}

export function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions {
  return {
    enableScripts: true,
    localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist'), vscode.Uri.joinPath(extensionUri, 'media')],
  };
}

export function renderWebviewHtml(webview: vscode.Webview, extensionUri: vscode.Uri, page: WebviewPage): string {
  const nonce = randomBytes(16).toString('base64');
  const scriptUri = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'webview', `${page.script}.js`));
  const styleUris = ['webview.css', ...(page.stylesheets ?? [])].map((name) =>
    webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'media', name)),
  );
  const csp = [
    "default-src 'none'",
    `img-src ${webview.cspSource} data:`,
    `style-src ${webview.cspSource}`,
    `font-src ${webview.cspSource}`,
    `script-src 'nonce-${nonce}'${page.wasm ? " 'wasm-unsafe-eval'" : ''}`,
    `connect-src ${webview.cspSource}${page.wasm ? ' blob:' : ''}`,
    // The trainer's worker and its .wasm files come from blob: URLs the page makes.
    ...(page.wasm ? ['worker-src blob:'] : []),
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
${styleUris.map((uri) => `<link rel="stylesheet" href="${uri}">`).join('\n')}
<title>${escapeHtml(page.title)}</title>
</head>
<body>
<main id="app" aria-live="polite"></main>
<script nonce="${nonce}" src="${scriptUri}"></script>
</body>
</html>`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
