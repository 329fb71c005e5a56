// The status-bar item of completions: which model serves, whether completions are on, off,
// snoozed or a model is training, and the last suggestion's latency. Click toggles.
import * as vscode from 'vscode';
import type { ServiceStatus } from './completionService';

export const TOGGLE_COMMAND = 'seqlab.toggleCompletions';

/** Text, tooltip and accessible label of the item for a status (pure: unit-testable through the vscode tier). */
export function describeStatus(s: ServiceStatus, now = Date.now()): { text: string; tooltip: string; label: string } {
  const model = s.modelName ?? 'no model loaded yet';
  const latency = s.lastLatencyMs !== undefined ? ` · ${formatMs(s.lastLatencyMs)}` : '';
  const training = s.training ? ' · training' : '';
  let text: string;
  let tooltip: string;
  switch (s.state) {
    case 'off':
      text = '$(circle-slash) Seqlab';
      tooltip = 'Sequence Lab completions are off. Click to turn them on.';
      break;
    case 'snoozed': {
      const minutes = Math.max(1, Math.ceil(((s.snoozedUntil ?? now) - now) / 60_000));
      text = `$(clock) Seqlab ${minutes} min`;
      tooltip = `Sequence Lab completions are snoozed for ${minutes} more minute${minutes === 1 ? '' : 's'}. Click to resume them.`;
      break;
    }
    case 'loading':
      text = '$(loading~spin) Seqlab';
      tooltip = `Loading ${model} for completions…`;
      break;
    case 'error':
      text = '$(warning) Seqlab';
      tooltip = `Sequence Lab completions: ${s.error ?? 'error'}. Click to turn completions off.`;
      break;
    default:
      text = `${s.error ? '$(warning)' : '$(sparkle)'} ${model}${latency}`;
      tooltip =
        `Sequence Lab completions are on, from ${model}` +
        (s.engineLabel && s.engineLabel !== model ? ` (${s.engineLabel})` : '') +
        (s.lastLatencyMs !== undefined ? `; last suggestion in ${formatMs(s.lastLatencyMs)}` : '') +
        (s.error ? `. ${s.error}` : '') +
        (s.notServing ? `. Not serving ${s.notServing}` : '') +
        '. Click to turn them off.';
  }
  if (s.training) {
    text = `$(mortar-board) ${text.replace(/^\$\([^)]*\) /, '')}${training}`;
    tooltip += ' A model is training in this window.';
  }
  return { text, tooltip, label: tooltip };
}

function formatMs(ms: number): string {
  return ms < 10 ? `${ms.toFixed(1)} ms` : `${Math.round(ms)} ms`;
}

export class CompletionStatus implements vscode.Disposable {
  readonly item: vscode.StatusBarItem;

  constructor(initial: ServiceStatus, onDidChange: vscode.Event<ServiceStatus>) {
    this.item = vscode.window.createStatusBarItem('seqlab.completions', vscode.StatusBarAlignment.Right, 100);
    this.item.name = 'Sequence Lab Completions';
    this.item.command = TOGGLE_COMMAND;
    this.update(initial);
    this.subscription = onDidChange((s) => this.update(s));
    this.item.show();
  }

  private readonly subscription: vscode.Disposable;

  update(s: ServiceStatus): void {
    const d = describeStatus(s);
    this.item.text = d.text;
    this.item.tooltip = d.tooltip;
    this.item.accessibilityInformation = { label: d.label, role: 'button' };
  }

  dispose(): void {
    this.subscription.dispose();
    this.item.dispose();
  }
}
