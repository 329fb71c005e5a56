// Colour scales for heatmaps, built from the theme's own colours (read from CSS variables in
// the webview), so light, dark and high-contrast themes each get a scale that reads on their
// background. A scale is a 256-entry RGBA lookup table: colouring a cell is one index.

export interface Rgba {
  readonly r: number;
  readonly g: number;
  readonly b: number;
  /** 0..1 */
  readonly a: number;
}

/**
 * Parses a CSS colour as computed styles and VS Code's theme variables write them: #rgb,
 * #rgba, #rrggbb, #rrggbbaa, rgb(…) and rgba(…) (commas or spaces). Undefined otherwise.
 */
export function parseColor(text: string): Rgba | undefined {
  const s = text.trim().toLowerCase();
  const hex = /^#([0-9a-f]{3,8})$/.exec(s);
  if (hex) {
    const h = hex[1];
    if (h.length === 3 || h.length === 4) {
      const v = [...h].map((c) => parseInt(c + c, 16));
      return { r: v[0], g: v[1], b: v[2], a: h.length === 4 ? v[3] / 255 : 1 };
    }
    if (h.length === 6 || h.length === 8) {
      const v = [0, 2, 4, 6].map((i) => parseInt(h.slice(i, i + 2), 16));
      return { r: v[0], g: v[1], b: v[2], a: h.length === 8 ? v[3] / 255 : 1 };
    }
    return undefined;
  }
  const fn = /^rgba?\(\s*([^)]*)\)$/.exec(s);
  if (!fn) return undefined;
  const parts = fn[1].split(/[\s,/]+/).filter(Boolean);
  if (parts.length !== 3 && parts.length !== 4) return undefined;
  const channel = (p: string) => (p.endsWith('%') ? (parseFloat(p) * 255) / 100 : parseFloat(p));
  const [r, g, b] = parts.slice(0, 3).map(channel);
  const a = parts.length === 4 ? (parts[3].endsWith('%') ? parseFloat(parts[3]) / 100 : parseFloat(parts[3])) : 1;
  if (![r, g, b, a].every(Number.isFinite)) return undefined;
  const clamp = (v: number, hi: number) => Math.min(hi, Math.max(0, v));
  return { r: clamp(r, 255), g: clamp(g, 255), b: clamp(b, 255), a: clamp(a, 1) };
}

/** `over` composited onto an opaque `under` (so translucent theme colours become opaque). */
export function flatten(over: Rgba, under: Rgba): Rgba {
  const a = over.a;
  return { r: over.r * a + under.r * (1 - a), g: over.g * a + under.g * (1 - a), b: over.b * a + under.b * (1 - a), a: 1 };
}

/** Linear interpolation from `a` (t = 0) to `b` (t = 1). */
export function mix(a: Rgba, b: Rgba, t: number): Rgba {
  return { r: a.r + (b.r - a.r) * t, g: a.g + (b.g - a.g) * t, b: a.b + (b.b - a.b) * t, a: a.a + (b.a - a.a) * t };
}

export function cssOf(c: Rgba): string {
  return `rgba(${Math.round(c.r)}, ${Math.round(c.g)}, ${Math.round(c.b)}, ${Number(c.a.toFixed(3))})`;
}

export const SCALE_STEPS = 256;

/** A lookup table of SCALE_STEPS colours, 4 bytes each. */
export type ColorTable = Uint8ClampedArray;

/** Colour stops at evenly spaced positions, interpolated into a table. */
export function colorTable(stops: readonly Rgba[]): ColorTable {
  if (stops.length < 2) throw new RangeError('a colour scale needs at least two stops');
  const table = new Uint8ClampedArray(SCALE_STEPS * 4);
  for (let i = 0; i < SCALE_STEPS; i++) {
    const t = (i / (SCALE_STEPS - 1)) * (stops.length - 1);
    const k = Math.min(stops.length - 2, Math.floor(t));
    const c = mix(stops[k], stops[k + 1], t - k);
    table.set([Math.round(c.r), Math.round(c.g), Math.round(c.b), Math.round(c.a * 255)], i * 4);
  }
  return table;
}

/** Sequential scale: the background (0) to a strong theme colour (1). */
export function sequentialTable(background: Rgba, strong: Rgba): ColorTable {
  return colorTable([background, mix(background, strong, 0.5), strong]);
}

/** Diverging scale: `negative` (0) through the background (0.5) to `positive` (1). */
export function divergingTable(negative: Rgba, background: Rgba, positive: Rgba): ColorTable {
  return colorTable([negative, background, positive]);
}

/** Index into a colour table of a value already normalised to [0, 1]. */
export function tableIndex(t: number): number {
  if (!(t > 0)) return 0;
  if (t >= 1) return SCALE_STEPS - 1;
  return Math.round(t * (SCALE_STEPS - 1));
}
