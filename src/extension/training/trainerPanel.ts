// The trainer panel: a webview that runs the core Trainer on the best tfjs backend the browser
// offers and draws the run live. One per window; it keeps running while hidden
// (retainContextWhenHidden). Closing it ends the run: the session keeps the last checkpoint.
import * as vscode from 'vscode';
import type { TrainerFromWebviewMessage, TrainerToWebviewMessage } from '../../protocol';
import { WebviewChannel } from '../webviewChannel';
import { renderWebviewHtml, webviewOptions } from '../webviewHtml';

export class TrainerPanel implements vscode.Disposable {
  static readonly viewType = 'seqlab.trainer';
  private static current: TrainerPanel | undefined;

  private readonly disposables: vscode.Disposable[] = [];
  private readonly channel: WebviewChannel;
  private readonly messages = new vscode.EventEmitter<TrainerFromWebviewMessage>();
  private readonly closed = new vscode.EventEmitter<void>();
  private disposed = false;
  /** Messages from the trainer webview. */
  readonly onMessage = this.messages.event;
  /** The user closed the panel (or it was disposed). */
  readonly onDidClose = this.closed.event;

  static get instance(): TrainerPanel | undefined {
    return TrainerPanel.current;
  }

  /** The open panel (revealed without taking focus), or a new one beside the editor. */
  static createOrShow(context: vscode.ExtensionContext): TrainerPanel {
    if (TrainerPanel.current) {
      TrainerPanel.current.reveal(true);
      return TrainerPanel.current;
    }
    const panel = vscode.window.createWebviewPanel(
      TrainerPanel.viewType,
      'Sequence Lab Training',
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
      { ...webviewOptions(context.extensionUri), retainContextWhenHidden: true },
    );
    return new TrainerPanel(panel, context);
  }

  private constructor(
    private readonly panel: vscode.WebviewPanel,
    context: vscode.ExtensionContext,
  ) {
    TrainerPanel.current = this;
    panel.iconPath = vscode.Uri.joinPath(context.extensionUri, 'media', 'icon.svg');
    const forward = (m: TrainerFromWebviewMessage) => this.messages.fire(m);
    this.channel = new WebviewChannel(panel.webview, {
      trainBackend: forward,
      trainProgress: forward,
      trainEval: forward,
      trainSample: forward,
      trainCheckpoint: forward,
      trainState: forward,
      trainDone: forward,
      trainError: forward,
    });
    panel.webview.html = renderWebviewHtml(panel.webview, context.extensionUri, {
      title: 'Sequence Lab Training',
      script: 'trainer/main',
      wasm: true,
      stylesheets: ['trainer.css'],
    });
    this.disposables.push(
      this.channel,
      this.messages,
      this.closed,
      panel.onDidDispose(() => {
        this.closed.fire();
        this.dispose();
      }),
    );
  }

  /** URL of the folder of tfjs-backend-wasm's .wasm files, as this webview may fetch it. */
  wasmFolder(extensionUri: vscode.Uri): string {
    return `${this.panel.webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'wasm')).toString()}/`;
  }

  post(message: TrainerToWebviewMessage): void {
    if (!this.disposed) this.channel.post(message);
  }

  get visible(): boolean {
    return !this.disposed && this.panel.visible;
  }

  reveal(preserveFocus = false): void {
    if (!this.disposed) this.panel.reveal(undefined, preserveFocus);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (TrainerPanel.current === this) TrainerPanel.current = undefined;
    this.panel.dispose();
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
