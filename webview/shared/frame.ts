// Drawing that happens at most once a frame: components mark themselves dirty and the next
// animation frame redraws only them.
const dirty = new Set<() => void>();
let scheduled = false;

export function requestDraw(draw: () => void): void {
  dirty.add(draw);
  if (scheduled) return;
  scheduled = true;
  requestAnimationFrame(() => {
    scheduled = false;
    const todo = [...dirty];
    dirty.clear();
    for (const d of todo) d();
  });
}

/** Sizes a canvas's backing store to its CSS size times the device pixel ratio; returns a context drawing in CSS pixels. */
export function prepareCanvas(canvas: HTMLCanvasElement, width: number, height: number): CanvasRenderingContext2D {
  const dpr = window.devicePixelRatio || 1;
  const w = Math.max(1, Math.round(width * dpr));
  const h = Math.max(1, Math.round(height * dpr));
  if (canvas.width !== w) canvas.width = w;
  if (canvas.height !== h) canvas.height = h;
  canvas.style.width = `${width}px`;
  canvas.style.height = `${height}px`;
  const ctx = canvas.getContext('2d')!;
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  return ctx;
}

/** Calls `onResize` (throttled to frames) when `element`'s width changes. */
export function watchWidth(element: HTMLElement, onResize: () => void): ResizeObserver {
  let last = -1;
  const observer = new ResizeObserver((entries) => {
    const width = Math.round(entries[0]?.contentRect.width ?? 0);
    if (width === last) return;
    last = width;
    requestDraw(onResize);
  });
  observer.observe(element);
  return observer;
}
