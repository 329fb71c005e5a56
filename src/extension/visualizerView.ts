// "Inside the Model": a webview view in the panel area that follows the active editor.
// Until a model is active it says so, and shows which text it would look at.
import * as vscode from 'vscode';
import { readConfig } from './config';
import { renderWebviewHtml, webviewOptions } from './webviewHtml';
import { WebviewChannel } from './webviewChannel';

/** Characters of context sent per update; the model windows it further by tokens. */
const MAX_CONTEXT_CHARS = 4096;
const THROTTLE_MS = 100;

export class VisualizerViewProvider implements vscode.WebviewViewProvider, vscode.Disposable {
  static readonly viewId = 'seqlab.visualizer';
  private view: vscode.WebviewView | undefined;
  private channel: WebviewChannel | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private pending: NodeJS.Timeout | undefined;

  constructor(private readonly context: vscode.ExtensionContext) {
    this.disposables.push(
      vscode.window.onDidChangeActiveTextEditor(() => this.scheduleUpdate()),
      vscode.window.onDidChangeTextEditorSelection(() => this.scheduleUpdate()),
    );
  }

  resolveWebviewView(view: vscode.WebviewView): void {
    this.view = view;
    view.webview.options = webviewOptions(this.context.extensionUri);
    this.channel?.dispose();
    const channel = new WebviewChannel(view.webview, {
      ready: () => {
        channel.post({
          type: 'init',
          view: 'visualizer',
          extensionVersion: String(this.context.extension.packageJSON.version),
          preferredBackend: readConfig().training.backend,
        });
        this.update();
      },
    });
    this.channel = channel;
    view.webview.html = renderWebviewHtml(view.webview, this.context.extensionUri, {
      title: 'Inside the Model',
      script: 'visualizer/main',
      wasm: false,
    });
    view.onDidDispose(() => {
      channel.dispose();
      if (this.channel === channel) this.channel = undefined;
      this.view = undefined;
    });
  }

  private scheduleUpdate(): void {
    if (!this.view?.visible || this.pending) return;
    this.pending = setTimeout(() => {
      this.pending = undefined;
      this.update();
    }, THROTTLE_MS);
  }

  private update(): void {
    const editor = vscode.window.activeTextEditor;
    if (!this.channel) return;
    if (!editor) {
      this.channel.post({ type: 'cursorContext', fileName: null, textBeforeCursor: '', unavailableReason: 'No active editor.' });
      return;
    }
    const doc = editor.document;
    const cursor = doc.offsetAt(editor.selection.active);
    const start = doc.positionAt(Math.max(0, cursor - MAX_CONTEXT_CHARS));
    this.channel.post({
      type: 'cursorContext',
      fileName: vscode.workspace.asRelativePath(doc.uri),
      textBeforeCursor: doc.getText(new vscode.Range(start, editor.selection.active)),
      unavailableReason: 'No model is active yet: model internals arrive once training and model selection land.',
    });
  }

  dispose(): void {
    if (this.pending) clearTimeout(this.pending);
    this.channel?.dispose();
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
