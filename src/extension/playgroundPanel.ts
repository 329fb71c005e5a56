// The playground panel: one per window, revived after reload. Today it reports which tfjs
// backend training would run on in this VS Code and why; training itself lands here next.
import * as vscode from 'vscode';
import type { BackendChoice, BackendProbe } from '../core/backendChoice';
import { readConfig } from './config';
import { renderWebviewHtml, webviewOptions } from './webviewHtml';
import { WebviewChannel } from './webviewChannel';

export interface BackendReport {
  readonly probe: BackendProbe;
  readonly choice: BackendChoice;
}

export class PlaygroundPanel implements vscode.Disposable {
  static readonly viewType = 'seqlab.playground';
  private static current: PlaygroundPanel | undefined;

  private readonly disposables: vscode.Disposable[] = [];
  private readonly channel: WebviewChannel;
  private lastReport: BackendReport | undefined;
  private readonly reportEmitter = new vscode.EventEmitter<BackendReport>();
  /** Fires when the webview reports the backend it would train on. */
  readonly onBackendReport = this.reportEmitter.event;

  static createOrShow(context: vscode.ExtensionContext): PlaygroundPanel {
    if (PlaygroundPanel.current) {
      PlaygroundPanel.current.panel.reveal();
      return PlaygroundPanel.current;
    }
    const panel = vscode.window.createWebviewPanel(PlaygroundPanel.viewType, 'Sequence Lab Playground', vscode.ViewColumn.Active, {
      ...webviewOptions(context.extensionUri),
      retainContextWhenHidden: true,
    });
    return new PlaygroundPanel(panel, context);
  }

  static revive(panel: vscode.WebviewPanel, context: vscode.ExtensionContext): PlaygroundPanel {
    panel.webview.options = webviewOptions(context.extensionUri);
    return new PlaygroundPanel(panel, context);
  }

  static get instance(): PlaygroundPanel | undefined {
    return PlaygroundPanel.current;
  }

  get backendReport(): BackendReport | undefined {
    return this.lastReport;
  }

  private constructor(
    private readonly panel: vscode.WebviewPanel,
    private readonly context: vscode.ExtensionContext,
  ) {
    PlaygroundPanel.current = this;
    panel.iconPath = vscode.Uri.joinPath(context.extensionUri, 'media', 'icon.svg');
    this.channel = new WebviewChannel(panel.webview, {
      ready: () => this.sendInit(),
      backendReport: (m) => {
        this.lastReport = { probe: m.probe, choice: m.choice };
        this.reportEmitter.fire(this.lastReport);
      },
    });
    panel.webview.html = renderWebviewHtml(panel.webview, context.extensionUri, {
      title: 'Sequence Lab Playground',
      script: 'playground/main',
      wasm: true,
    });
    this.disposables.push(this.channel, this.reportEmitter, panel.onDidDispose(() => this.dispose()));
  }

  private sendInit(): void {
    this.channel.post({
      type: 'init',
      view: 'playground',
      extensionVersion: String(this.context.extension.packageJSON.version),
      preferredBackend: readConfig().training.backend,
    });
  }

  dispose(): void {
    if (PlaygroundPanel.current === this) PlaygroundPanel.current = undefined;
    this.panel.dispose();
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
