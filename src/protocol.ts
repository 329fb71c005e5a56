// The one typed protocol between the extension host and its webviews. Each message is an
// interface keyed on `type`; each direction is a union, so handlers narrow exhaustively.
import type { BackendProbe, BackendChoice } from './core/backendChoice';

// ---- webview → host -------------------------------------------------------------------

/** Sent once the webview's script runs; the host posts nothing before it. */
export interface ReadyMessage {
  readonly type: 'ready';
}

/** What the webview found out about the GPU and wasm support of the browser it runs in. */
export interface BackendReportMessage {
  readonly type: 'backendReport';
  readonly probe: BackendProbe;
  readonly choice: BackendChoice;
}

export type FromWebviewMessage = ReadyMessage | BackendReportMessage;

// ---- host → webview -------------------------------------------------------------------

/** Host settings the webview needs to render; sent after `ready` and on change. */
export interface InitMessage {
  readonly type: 'init';
  readonly view: 'playground' | 'visualizer';
  readonly extensionVersion: string;
  readonly preferredBackend: 'auto' | BackendChoice['backend'];
}

/** The visualizer's subject: the active editor's text before the cursor, or none. */
export interface CursorContextMessage {
  readonly type: 'cursorContext';
  readonly fileName: string | null;
  readonly textBeforeCursor: string;
  /** Why nothing can be shown yet, if so. */
  readonly unavailableReason: string | null;
}

export type ToWebviewMessage = InitMessage | CursorContextMessage;

export function isFromWebviewMessage(value: unknown): value is FromWebviewMessage {
  if (typeof value !== 'object' || value === null) return false;
  const type = (value as { type?: unknown }).type;
  return type === 'ready' || type === 'backendReport';
}

export function isToWebviewMessage(value: unknown): value is ToWebviewMessage {
  if (typeof value !== 'object' || value === null) return false;
  const type = (value as { type?: unknown }).type;
  return type === 'init' || type === 'cursorContext';
}
