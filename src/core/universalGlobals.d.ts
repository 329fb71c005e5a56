// The few globals that Node, browsers and web workers all provide, declared for the core
// typecheck (src/core/tsconfig.json), which has neither Node's nor the DOM's types: core code
// runs in the extension host, the webviews, the CLI and the tests alike. The host and webview
// typechecks exclude this file and see the full declarations instead.

interface TextDecodeOptions {
  stream?: boolean;
}

interface TextDecoder {
  readonly encoding: string;
  readonly fatal: boolean;
  decode(input?: ArrayBufferView | ArrayBufferLike, options?: TextDecodeOptions): string;
}
declare var TextDecoder: {
  prototype: TextDecoder;
  new (label?: string, options?: { fatal?: boolean; ignoreBOM?: boolean }): TextDecoder;
};

interface TextEncoder {
  readonly encoding: string;
  encode(input?: string): Uint8Array;
}
declare var TextEncoder: { prototype: TextEncoder; new (): TextEncoder };

declare var performance: { now(): number };

declare function setTimeout(handler: () => void, timeout?: number): unknown;
declare function clearTimeout(handle: unknown): void;
