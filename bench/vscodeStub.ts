// A stand-in for the `vscode` module, so the benchmark can load dist/extension.js and run the
// completion provider in plain Node: real little classes for what the provider builds (Position,
// Range, InlineCompletionItem, EventEmitter), settings that read their defaults, and inert
// registrations for the rest. Timing activation against it measures the extension's own work.
import Module from 'node:module';

type Listener<T> = (e: T) => unknown;

export class Disposable {
  constructor(private readonly fn: () => void = () => undefined) {}
  dispose(): void {
    this.fn();
  }
  static from(...items: Array<{ dispose(): unknown }>): Disposable {
    return new Disposable(() => items.forEach((i) => i.dispose()));
  }
}

export class EventEmitter<T> {
  private listeners: Listener<T>[] = [];
  readonly event = (listener: Listener<T>) => {
    this.listeners.push(listener);
    return new Disposable(() => (this.listeners = this.listeners.filter((l) => l !== listener)));
  };
  fire(e: T): void {
    for (const l of this.listeners) l(e);
  }
  dispose(): void {
    this.listeners = [];
  }
}

export class Position {
  constructor(
    readonly line: number,
    readonly character: number,
  ) {}
}

export class Range {
  constructor(
    readonly start: Position,
    readonly end: Position,
  ) {}
}

export class InlineCompletionItem {
  constructor(
    readonly insertText: string,
    readonly range?: Range,
  ) {}
}

export class CancellationTokenSource {
  token = { isCancellationRequested: false, onCancellationRequested: new EventEmitter<void>().event };
  cancel(): void {
    this.token.isCancellationRequested = true;
  }
  dispose(): void {}
}

export class Uri {
  private constructor(
    readonly scheme: string,
    readonly fsPath: string,
  ) {}
  get path(): string {
    return this.fsPath;
  }
  static file(p: string): Uri {
    return new Uri('file', p);
  }
  static parse(s: string): Uri {
    return new Uri(s.split(':')[0], s);
  }
  static joinPath(base: Uri, ...parts: string[]): Uri {
    return new Uri(base.scheme, [base.fsPath, ...parts].join('/'));
  }
  toString(): string {
    return `${this.scheme}://${this.fsPath}`;
  }
}

/** A text document over a string. */
export class StubDocument {
  readonly version = 1;
  private readonly lineStarts: number[] = [0];
  constructor(
    readonly uri: Uri,
    readonly languageId: string,
    private readonly content: string,
  ) {
    for (let i = 0; i < content.length; i++) if (content[i] === '\n') this.lineStarts.push(i + 1);
  }
  getText(range?: Range): string {
    return range ? this.content.slice(this.offsetAt(range.start), this.offsetAt(range.end)) : this.content;
  }
  offsetAt(p: Position): number {
    return Math.min(this.content.length, this.lineStarts[p.line] + p.character);
  }
  positionAt(offset: number): Position {
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return new Position(lo, offset - this.lineStarts[lo]);
  }
  lineAt(line: number): { text: string } {
    const start = this.lineStarts[line];
    const end = line + 1 < this.lineStarts.length ? this.lineStarts[line + 1] - 1 : this.content.length;
    return { text: this.content.slice(start, end) };
  }
}

class Memento {
  private readonly values = new Map<string, unknown>();
  get<T>(key: string, fallback?: T): T | undefined {
    return (this.values.has(key) ? this.values.get(key) : fallback) as T | undefined;
  }
  async update(key: string, value: unknown): Promise<void> {
    this.values.set(key, value);
  }
  keys(): string[] {
    return [...this.values.keys()];
  }
}

/** What `activate` receives. */
export function stubContext(extensionPath: string, storagePath: string) {
  return {
    subscriptions: [] as Array<{ dispose(): unknown }>,
    workspaceState: new Memento(),
    globalState: new Memento(),
    extensionUri: Uri.file(extensionPath),
    extensionPath,
    storageUri: Uri.file(storagePath),
    globalStorageUri: Uri.file(storagePath),
    extension: { packageJSON: { version: '0.0.0' } },
  };
}

/** Settings the stub reports instead of the defaults, by full key ("seqlab.completions.debounceMs"). */
export const stubSettings = new Map<string, unknown>();
/** What workspace.findFiles finds (absolute paths); no .gitignore is found. */
export const stubFiles: string[] = [];

/** The one workspace folder: the deepest folder holding every stub file (none without files). */
function stubWorkspaceFolders(): Array<{ uri: Uri; name: string; index: number }> | undefined {
  if (stubFiles.length === 0) return undefined;
  let root = stubFiles[0].slice(0, stubFiles[0].lastIndexOf('/'));
  for (const f of stubFiles) while (!f.startsWith(`${root}/`)) root = root.slice(0, root.lastIndexOf('/'));
  return [{ uri: Uri.file(root), name: root.slice(root.lastIndexOf('/') + 1) || 'workspace', index: 0 }];
}

const noop = () => new Disposable();
const event = () => new Disposable();

function statusBarItem() {
  return { text: '', tooltip: '', name: '', command: '', accessibilityInformation: undefined, show() {}, hide() {}, dispose() {} };
}

const knownApi = {
  Disposable,
  EventEmitter,
  Position,
  Range,
  InlineCompletionItem,
  CancellationTokenSource,
  Uri,
  RelativePattern: class {
    constructor(
      readonly base: unknown,
      readonly pattern: string,
    ) {}
  },
  StatusBarAlignment: { Left: 1, Right: 2 },
  ConfigurationTarget: { Global: 1, Workspace: 2, WorkspaceFolder: 3 },
  InlineCompletionTriggerKind: { Invoke: 0, Automatic: 1 },
  ViewColumn: { One: 1, Active: -1, Beside: -2 },
  version: '0.0.0-stub',
  commands: { registerCommand: noop, executeCommand: async () => undefined, getCommands: async () => [] },
  languages: { registerInlineCompletionItemProvider: noop },
  window: {
    createStatusBarItem: statusBarItem,
    createOutputChannel: () => ({ info() {}, warn() {}, error() {}, trace() {}, debug() {}, appendLine() {}, show() {}, dispose() {} }),
    registerWebviewViewProvider: noop,
    registerWebviewPanelSerializer: noop,
    onDidChangeActiveTextEditor: event,
    onDidChangeTextEditorSelection: event,
    onDidChangeActiveColorTheme: event,
    activeTextEditor: undefined,
    showInformationMessage: async () => undefined,
    showWarningMessage: async () => undefined,
    showErrorMessage: async () => undefined,
    setStatusBarMessage: () => new Disposable(),
  },
  workspace: {
    getConfiguration: (section?: string) => ({
      get: <T>(key: string, fallback?: T) => {
        const full = section ? `${section}.${key}` : key;
        return (stubSettings.has(full) ? stubSettings.get(full) : fallback) as T;
      },
      inspect: () => undefined,
      update: async (key: string, value: unknown) => void stubSettings.set(section ? `${section}.${key}` : key, value),
      has: () => false,
    }),
    onDidChangeConfiguration: event,
    onDidChangeTextDocument: event,
    onDidCloseTextDocument: event,
    onDidOpenTextDocument: event,
    onDidSaveTextDocument: event,
    createFileSystemWatcher: () => ({ onDidCreate: event, onDidDelete: event, onDidChange: event, dispose() {} }),
    findFiles: async (pattern: { pattern?: string }) => (pattern?.pattern?.includes('.gitignore') ? [] : stubFiles.map((f) => Uri.file(f))),
    textDocuments: [],
    get workspaceFolders() {
      return stubWorkspaceFolders();
    },
  },
  env: { language: 'en' },
};

/**
 * Anything else of the API other parts of the extension touch at activation (ThemeColor, a
 * decoration type, …): callable, constructible, each property another such value, never a
 * thenable. Registrations made with it do nothing.
 */
const anything: unknown = new Proxy(function () {}, {
  get: (_target, key) => (key === 'then' ? undefined : key === Symbol.toPrimitive ? () => '' : anything),
  apply: () => anything,
  construct: () => anything as object,
});

/** Looked up last: `anything` for every name the known parts lack. */
const fallbackPrototype = new Proxy(
  {},
  { get: (_target, key) => (key === 'then' || typeof key === 'symbol' ? undefined : anything) },
);

/**
 * The known parts, with `anything` for whatever else is asked for, at any depth of the
 * namespaces (through the prototype: bundlers copy a module's own properties onto an object
 * with the same prototype).
 */
function withFallback<T extends object>(known: T): T {
  for (const value of Object.values(known)) {
    if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) withFallback(value);
  }
  Object.setPrototypeOf(known, fallbackPrototype);
  return known;
}

export const vscodeStub = withFallback(knownApi);

let installed = false;

/** Makes `require('vscode')` return the stub (for dist/extension.js and the provider). */
export function installVscodeStub(): void {
  if (installed) return;
  installed = true;
  const moduleWithLoad = Module as unknown as { _load: (request: string, ...rest: unknown[]) => unknown };
  const load = moduleWithLoad._load;
  moduleWithLoad._load = function (request: string, ...rest: unknown[]) {
    if (request === 'vscode') return vscodeStub;
    return load.call(this, request, ...rest);
  };
}
