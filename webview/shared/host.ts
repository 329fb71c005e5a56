// The webview side of the protocol: typed posts to the host and one narrowed handler per
// incoming message type. `ready` is sent once handlers are in place.
import { isToWebviewMessage, type FromWebviewMessage, type ToWebviewMessage } from '../../src/protocol';

interface VsCodeApi {
  postMessage(message: unknown, transfer?: Transferable[]): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();

type Handlers = { [K in ToWebviewMessage['type']]?: (message: Extract<ToWebviewMessage, { type: K }>) => void };

/** `transfer`: buffers handed over rather than copied (they are unusable here afterwards). */
export function postToHost(message: FromWebviewMessage, transfer?: Transferable[]): void {
  if (transfer?.length) vscode.postMessage(message, transfer);
  else vscode.postMessage(message);
}

export function connect(handlers: Handlers): void {
  window.addEventListener('message', (event: MessageEvent<unknown>) => {
    const message = event.data;
    if (!isToWebviewMessage(message)) return;
    const handler = handlers[message.type] as ((m: ToWebviewMessage) => void) | undefined;
    handler?.(message);
  });
  postToHost({ type: 'ready' });
}

/** Creates an element with text content and attributes: enough DOM for small views. */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string> = {},
  ...children: Array<Node | string>
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  node.append(...children);
  return node;
}
