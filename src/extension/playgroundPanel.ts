// The playground panel: one per window, revived after reload. The webview probes the browser
// for the tfjs backend training would use, and runs the arena: contenders trained one after
// another under one budget, with live curves and a table. This side resolves the dataset (the
// active file or the workspace corpus; a lecture task is generated in the webview), saves each
// finished run in the workspace (.seqlab/arena/), exports it, and puts a row's model into the
// registry as the active model.
import * as vscode from 'vscode';
import type { BackendChoice, BackendProbe } from '../core/backend/choice';
import type { ArenaBudget } from '../core/arena/arena';
import type { ContenderSpec } from '../core/arena/contenders';
import type { DatasetSpec } from '../core/arena/datasets';
import { arenaCsv, type ArenaRunRecord } from '../core/arena/report';
import type { ArenaDatasetChoice, ArenaRequestMessage, ArenaRowMessage, ArenaUseModelMessage } from '../protocol';
import { readConfig } from './config';
import type { ModelRegistry } from './models/modelRegistry';
import { collectWorkspaceCorpus } from './training/workspaceCorpus';
import { renderWebviewHtml, webviewOptions } from './webviewHtml';
import { WebviewChannel } from './webviewChannel';

export interface BackendReport {
  readonly probe: BackendProbe;
  readonly choice: BackendChoice;
}

/** What `seqlab.runArena` takes from code. */
export interface ArenaArgs {
  readonly contenders: readonly ContenderSpec[];
  readonly dataset: ArenaDatasetChoice;
  readonly budget: ArenaBudget;
}

/** Most characters of the workspace corpus an arena trains on (it runs several models in turn). */
const ARENA_MAX_CORPUS_CHARS = 1_000_000;

interface PendingRun {
  readonly runId: string;
  readonly resolve: (record: ArenaRunRecord) => void;
  readonly reject: (error: Error) => void;
}

export class PlaygroundPanel implements vscode.Disposable {
  static readonly viewType = 'seqlab.playground';
  private static current: PlaygroundPanel | undefined;

  private readonly disposables: vscode.Disposable[] = [];
  private readonly channel: WebviewChannel;
  private lastReport: BackendReport | undefined;
  private readonly reportEmitter = new vscode.EventEmitter<BackendReport>();
  private readonly rowEmitter = new vscode.EventEmitter<ArenaRowMessage>();
  /** Fires when the webview reports the backend it would train on. */
  readonly onBackendReport = this.reportEmitter.event;
  /** Fires with each finished row of an arena run. */
  readonly onArenaRow = this.rowEmitter.event;
  private pending: PendingRun | undefined;
  private readonly records = new Map<string, ArenaRunRecord>();
  private runCount = 0;
  /** The last text editor that had focus: the "active file" while the panel itself has focus. */
  private lastEditor: vscode.TextEditor | undefined = vscode.window.activeTextEditor ?? vscode.window.visibleTextEditors[0];

  static createOrShow(context: vscode.ExtensionContext, registry: ModelRegistry): PlaygroundPanel {
    if (PlaygroundPanel.current) {
      PlaygroundPanel.current.panel.reveal();
      return PlaygroundPanel.current;
    }
    const panel = vscode.window.createWebviewPanel(PlaygroundPanel.viewType, 'Sequence Lab Playground', vscode.ViewColumn.Active, {
      ...webviewOptions(context.extensionUri),
      retainContextWhenHidden: true,
    });
    return new PlaygroundPanel(panel, context, registry);
  }

  static revive(panel: vscode.WebviewPanel, context: vscode.ExtensionContext, registry: ModelRegistry): PlaygroundPanel {
    panel.webview.options = webviewOptions(context.extensionUri);
    return new PlaygroundPanel(panel, context, registry);
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
    private readonly registry: ModelRegistry,
  ) {
    PlaygroundPanel.current = this;
    panel.iconPath = vscode.Uri.joinPath(context.extensionUri, 'media', 'icon.svg');
    this.channel = new WebviewChannel(panel.webview, {
      ready: () => this.sendInit(),
      backendReport: (m) => {
        this.lastReport = { probe: m.probe, choice: m.choice };
        this.reportEmitter.fire(this.lastReport);
      },
      arenaRequest: (m) => void this.runFromForm(m),
      arenaRow: (m) => this.rowEmitter.fire(m),
      arenaDone: (m) => void this.finished(m.runId, m.record),
      arenaError: (m) => this.failed(m.runId, new Error(m.message)),
      arenaUseModel: (m) => void this.useModel(m),
      arenaExport: (m) => void this.exportRun(m.runId, m.format),
    });
    panel.webview.html = renderWebviewHtml(panel.webview, context.extensionUri, {
      title: 'Sequence Lab Playground',
      script: 'playground/main',
      wasm: true,
      stylesheets: ['playground.css'],
    });
    this.disposables.push(
      this.channel,
      this.reportEmitter,
      this.rowEmitter,
      vscode.window.onDidChangeActiveTextEditor((editor) => {
        if (editor) this.lastEditor = editor;
      }),
      panel.onDidDispose(() => this.dispose()),
    );
  }

  private sendInit(): void {
    this.channel.post({
      type: 'init',
      view: 'playground',
      extensionVersion: String(this.context.extension.packageJSON.version),
      preferredBackend: readConfig().training.backend,
    });
  }

  /** Trains the contenders in the webview; resolves with the finished run (also saved in the workspace). */
  async runArena(args: ArenaArgs): Promise<ArenaRunRecord> {
    if (this.pending) throw new Error('an arena run is already in progress');
    if (args.contenders.length < 2 || args.contenders.length > 6) throw new Error('pick 2 to 6 contenders');
    const dataset = await this.resolveDataset(args.dataset);
    const runId = `arena-${Date.now().toString(36)}-${++this.runCount}`;
    const done = new Promise<ArenaRunRecord>((resolve, reject) => (this.pending = { runId, resolve, reject }));
    await this.channel.whenReady();
    this.channel.post({
      type: 'arenaStart',
      runId,
      contenders: args.contenders,
      dataset,
      budget: args.budget,
      settings: { seed: 0 },
      wasmPaths: `${this.panel.webview.asWebviewUri(vscode.Uri.joinPath(this.context.extensionUri, 'dist', 'wasm')).toString()}/`,
    });
    return done;
  }

  private async runFromForm(m: ArenaRequestMessage): Promise<void> {
    try {
      await this.runArena(m);
    } catch (error) {
      this.channel.post({ type: 'arenaRefused', reason: error instanceof Error ? error.message : String(error) });
    }
  }

  private async resolveDataset(choice: ArenaDatasetChoice): Promise<DatasetSpec> {
    switch (choice.kind) {
      case 'task':
        return choice;
      case 'activeFile': {
        const document = this.lastEditor?.document;
        if (!document || document.getText().length < 64) throw new Error('open a file of at least 64 characters to train on it');
        return { kind: 'texts', description: vscode.workspace.asRelativePath(document.uri), files: [{ path: document.uri.toString(), text: document.getText() }] };
      }
      case 'workspace': {
        if (!vscode.workspace.isTrusted) throw new Error('training on the workspace needs a trusted workspace');
        const corpus = await collectWorkspaceCorpus({ maxTotalChars: ARENA_MAX_CORPUS_CHARS });
        if (corpus.files.length === 0) throw new Error('the workspace has no files to train on');
        return { kind: 'texts', description: `workspace corpus, ${corpus.files.length} files`, files: corpus.files.map((f) => ({ path: f.path, text: f.text })) };
      }
    }
  }

  private async finished(runId: string, record: ArenaRunRecord): Promise<void> {
    this.records.set(runId, record);
    try {
      await this.save(record);
    } catch (error) {
      void vscode.window.showWarningMessage(`Sequence Lab: the arena run could not be saved: ${error instanceof Error ? error.message : error}`);
    }
    if (this.pending?.runId === runId) {
      this.pending.resolve(record);
      this.pending = undefined;
    }
  }

  private failed(runId: string, error: Error): void {
    if (this.pending?.runId !== runId) return;
    this.pending.reject(error);
    this.pending = undefined;
  }

  /** `.seqlab/arena/<id>.json` in the first workspace folder (the extension's storage without one). */
  private async save(record: ArenaRunRecord): Promise<vscode.Uri> {
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri ?? this.context.globalStorageUri;
    const dir = vscode.Uri.joinPath(folder, '.seqlab', 'arena');
    await vscode.workspace.fs.createDirectory(dir);
    const uri = vscode.Uri.joinPath(dir, `${record.id}.json`);
    await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(`${JSON.stringify(record, null, 2)}\n`));
    return uri;
  }

  private async exportRun(runId: string, format: 'json' | 'csv'): Promise<void> {
    const record = this.records.get(runId);
    if (!record) return;
    const target = await vscode.window.showSaveDialog({
      defaultUri: vscode.Uri.joinPath(vscode.workspace.workspaceFolders?.[0]?.uri ?? this.context.globalStorageUri, `${record.id}.${format}`),
      filters: format === 'json' ? { JSON: ['json'] } : { CSV: ['csv'] },
    });
    if (!target) return;
    const text = format === 'json' ? `${JSON.stringify(record, null, 2)}\n` : arenaCsv(record);
    await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(text));
  }

  private async useModel(m: ArenaUseModelMessage): Promise<void> {
    try {
      const entry = await this.registry.add(new Uint8Array(m.bytes), m.name);
      await this.registry.setActive(entry.id);
      this.channel.post({ type: 'arenaModelSaved', runId: m.runId, index: m.index, name: entry.card.name });
    } catch (error) {
      void vscode.window.showErrorMessage(`Sequence Lab: could not use the model: ${error instanceof Error ? error.message : error}`);
    }
  }

  dispose(): void {
    if (PlaygroundPanel.current === this) PlaygroundPanel.current = undefined;
    this.pending?.reject(new Error('the Playground was closed'));
    this.pending = undefined;
    this.panel.dispose();
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
