// What every tab of Inside the Model shares: the data it draws from, its lifecycle, and small
// DOM helpers for its controls.
import type {
  FromWebviewMessage,
  VisualizerEmbeddingsMessage,
  VisualizerGradientFlowMessage,
  VisualizerInternalsMessage,
  VisualizerModelInfo,
} from '../../src/protocol';
import { el } from '../shared/host';
import { explanationElement, type ExplanationKey } from './explanations';

export interface ViewData {
  readonly model: VisualizerModelInfo;
  readonly internals: VisualizerInternalsMessage | null;
  readonly gradientFlow: VisualizerGradientFlowMessage | null;
  readonly embeddings: VisualizerEmbeddingsMessage | null;
}

export interface ViewHost {
  post(message: FromWebviewMessage): void;
}

export interface View {
  /** Stable id (also the tab's DOM id suffix). */
  readonly id: string;
  readonly label: string;
  readonly element: HTMLElement;
  /** Draws `data` (called when shown and, while shown, when data arrives). */
  update(data: ViewData): void;
  /** The tab became visible: request what it needs from the host. */
  shown(data: ViewData): void;
  /** Cells or marks given a colour in the last drawing (for the render acknowledgement). */
  painted(): number;
  dispose(): void;
}

/** The two-column body of a view: the figure (controls, readout, canvases) and the explanation beside it. */
export function viewBody(key: ExplanationKey): { element: HTMLElement; figure: HTMLElement; readout: HTMLElement } {
  const figure = el('div', { class: 'figure' });
  const readout = el('div', { class: 'readout', role: 'status', 'aria-live': 'polite' }, '\u00a0');
  const element = el('div', { class: 'view-body' }, figure, explanationElement(key));
  return { element, figure, readout };
}

export function setReadout(readout: HTMLElement, text: string | null): void {
  readout.textContent = text ?? '\u00a0';
}

/** A labelled <select>; `onChange` gets the chosen value. */
export function selectControl(
  label: string,
  options: readonly { value: string; text: string }[],
  value: string,
  onChange: (value: string) => void,
): { element: HTMLElement; select: HTMLSelectElement } {
  const select = el('select', {});
  for (const o of options) select.append(el('option', { value: o.value }, o.text));
  select.value = value;
  select.addEventListener('change', () => onChange(select.value));
  return { element: el('label', { class: 'control' }, `${label} `, select), select };
}

export function checkboxControl(label: string, checked: boolean, onChange: (checked: boolean) => void): { element: HTMLElement; input: HTMLInputElement } {
  const input = el('input', { type: 'checkbox' });
  input.checked = checked;
  input.addEventListener('change', () => onChange(input.checked));
  return { element: el('label', { class: 'control' }, input, ` ${label}`), input };
}

export function message(text: string): HTMLElement {
  return el('p', { class: 'muted view-message' }, text);
}
