// The theme's colours for canvas drawing, read from VS Code's CSS variables (light, dark and
// high-contrast themes each set them), re-read whenever the theme changes.
import {
  divergingTable,
  flatten,
  parseColor,
  sequentialTable,
  type ColorTable,
  type Rgba,
} from '../../src/core/visualization/colorScale';

export interface Palette {
  readonly background: Rgba;
  readonly foreground: string;
  readonly muted: string;
  readonly focus: string;
  readonly grid: string;
  /** Signs of a value (positive blue, negative red), as in the diverging scale. */
  readonly positive: string;
  readonly negative: string;
  /** Distinct series colours, most prominent first. */
  readonly series: readonly string[];
  /** Gates, attention weights: background → strong. */
  readonly sequential: ColorTable;
  /** Signed values: negative ← background → positive. */
  readonly diverging: ColorTable;
  readonly font: string;
  readonly monoFont: string;
  readonly highContrast: boolean;
}

const FALLBACK_DARK = { r: 30, g: 30, b: 30, a: 1 };

function cssVar(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
}

function color(name: string, fallback: string): string {
  return cssVar(name) || fallback;
}

function rgba(text: string, under: Rgba, fallback: Rgba): Rgba {
  const parsed = parseColor(text);
  return parsed ? flatten(parsed, under) : fallback;
}

export function readPalette(): Palette {
  const body = getComputedStyle(document.body);
  const background = rgba(body.backgroundColor, FALLBACK_DARK, rgba(cssVar('--vscode-editor-background'), FALLBACK_DARK, FALLBACK_DARK));
  const highContrast = document.body.classList.contains('vscode-high-contrast') || document.body.classList.contains('vscode-high-contrast-light');
  const blue = rgba(color('--vscode-charts-blue', '#3794ff'), background, { r: 55, g: 148, b: 255, a: 1 });
  const red = rgba(color('--vscode-charts-red', '#f14c4c'), background, { r: 241, g: 76, b: 76, a: 1 });
  return {
    background,
    foreground: body.color || color('--vscode-foreground', '#cccccc'),
    muted: color('--vscode-descriptionForeground', body.color || '#999999'),
    focus: color('--vscode-focusBorder', '#007fd4'),
    grid: color('--vscode-editorWidget-border', color('--vscode-panel-border', '#80808060')),
    positive: color('--vscode-charts-blue', '#3794ff'),
    negative: color('--vscode-charts-red', '#f14c4c'),
    series: [
      color('--vscode-charts-blue', '#3794ff'),
      color('--vscode-charts-orange', '#d18616'),
      color('--vscode-charts-green', '#89d185'),
      color('--vscode-charts-purple', '#b180d7'),
      color('--vscode-charts-red', '#f14c4c'),
      color('--vscode-charts-yellow', '#cca700'),
      color('--vscode-foreground', '#cccccc'),
    ],
    sequential: sequentialTable(background, blue),
    diverging: divergingTable(red, background, blue),
    font: `${cssVar('--vscode-font-size') || '13px'} ${cssVar('--vscode-font-family') || 'sans-serif'}`,
    monoFont: `${cssVar('--vscode-editor-font-size') || '12px'} ${cssVar('--vscode-editor-font-family') || 'monospace'}`,
    highContrast,
  };
}

let palette: Palette | undefined;
const listeners = new Set<() => void>();

export function currentPalette(): Palette {
  return (palette ??= readPalette());
}

/** Calls `listener` after the theme changed (VS Code swaps body classes and the root's variables). */
export function onThemeChange(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

const observer = new MutationObserver(() => {
  palette = readPalette();
  for (const l of listeners) l();
});
observer.observe(document.body, { attributes: true, attributeFilter: ['class'] });
observer.observe(document.documentElement, { attributes: true, attributeFilter: ['style', 'class'] });
