// Typed messaging with one webview: nothing is posted before the webview says `ready`
// (earlier posts are queued), and each incoming message type has one narrowed handler.
import * as vscode from 'vscode';
import { isFromWebviewMessage, type FromWebviewMessage, type ToWebviewMessage } from '../protocol';

type Handlers = {
  [K in FromWebviewMessage['type']]?: (message: Extract<FromWebviewMessage, { type: K }>) => void;
};

export class WebviewChannel implements vscode.Disposable {
  private ready = false;
  private queue: ToWebviewMessage[] = [];
  private readonly subscription: vscode.Disposable;
  private readonly readyWaiters: Array<() => void> = [];

  constructor(
    private readonly webview: vscode.Webview,
    private readonly handlers: Handlers,
  ) {
    this.subscription = webview.onDidReceiveMessage((raw: unknown) => this.receive(raw));
  }

  post(message: ToWebviewMessage): void {
    if (!this.ready) {
      this.queue.push(message);
      return;
    }
    void this.webview.postMessage(message);
  }

  /** Resolves once the webview has sent `ready`. */
  whenReady(): Promise<void> {
    return this.ready ? Promise.resolve() : new Promise((resolve) => this.readyWaiters.push(resolve));
  }

  dispose(): void {
    this.subscription.dispose();
    this.queue = [];
  }

  private receive(raw: unknown): void {
    if (!isFromWebviewMessage(raw)) return;
    if (raw.type === 'ready') {
      this.ready = true;
      for (const m of this.queue.splice(0)) void this.webview.postMessage(m);
      for (const resolve of this.readyWaiters.splice(0)) resolve();
    }
    const handler = this.handlers[raw.type] as ((m: FromWebviewMessage) => void) | undefined;
    handler?.(raw);
  }
}
