// The InlineCompletionItemProvider: adapts VS Code's document, position and cancellation token
// to the completion controller and its outcome to ghost text. Registered for files and untitled
// documents of every language; the controller applies the per-language disable list.
import * as vscode from 'vscode';
import type { CompletionService } from './completionService';
import type { DocumentView, Outcome } from '../../core/completion/controller';

export const COMPLETION_SELECTOR: vscode.DocumentSelector = [
  { scheme: 'file', pattern: '**' },
  { scheme: 'untitled', pattern: '**' },
];

/** A request as the controller sees it. */
export function documentView(document: vscode.TextDocument, position: vscode.Position): DocumentView {
  return {
    key: document.uri.toString(),
    scheme: document.uri.scheme,
    languageId: document.languageId,
    offset: document.offsetAt(position),
    text: (start, end) => document.getText(new vscode.Range(document.positionAt(start), document.positionAt(end))),
    restOfLine: document.lineAt(position.line).text.slice(position.character),
  };
}

/**
 * The request as if the suggest widget's selected item were accepted: VS Code shows ghost text
 * beside an open widget only when it extends that item, so the model continues after it.
 * Undefined when the item does not end at the cursor (nothing sensible to extend).
 */
export function documentViewWithSelection(
  document: vscode.TextDocument,
  position: vscode.Position,
  selected: vscode.SelectedCompletionInfo,
): DocumentView | undefined {
  if (!selected.range.end.isEqual(position) || selected.range.start.line !== position.line) return undefined;
  const start = document.offsetAt(selected.range.start);
  const end = document.offsetAt(position);
  const real = documentView(document, position);
  // The virtual document: [0, start) + selected.text + [end, …).
  const virtualEnd = start + selected.text.length;
  const text = (from: number, to: number): string => {
    let out = '';
    if (from < start) out += real.text(from, Math.min(to, start));
    if (to > start && from < virtualEnd) out += selected.text.slice(Math.max(0, from - start), Math.min(to, virtualEnd) - start);
    if (to > virtualEnd) out += real.text(end + Math.max(0, from - virtualEnd), end + (to - virtualEnd));
    return out;
  };
  return { ...real, offset: virtualEnd, text };
}

export class CompletionProvider implements vscode.InlineCompletionItemProvider {
  /** The outcome of the last request (tests and the benchmark read it). */
  lastOutcome: Outcome | undefined;
  /** When set (SEQLAB_TRACE_COMPLETIONS=1), one console line per request: the e2e tier counts and times them. */
  private readonly trace = process.env.SEQLAB_TRACE_COMPLETIONS === '1';

  constructor(private readonly service: CompletionService) {}

  async provideInlineCompletionItems(
    document: vscode.TextDocument,
    position: vscode.Position,
    context: vscode.InlineCompletionContext,
    token: vscode.CancellationToken,
  ): Promise<vscode.InlineCompletionItem[] | undefined> {
    const started = performance.now();
    const selected = context.selectedCompletionInfo;
    const view = selected ? documentViewWithSelection(document, position, selected) : documentView(document, position);
    if (!view) return undefined;
    const outcome = await this.service.controller.complete(view, token, {
      explicit: context.triggerKind === vscode.InlineCompletionTriggerKind.Invoke,
    });
    this.lastOutcome = outcome;
    const stats = this.service.controller.stats;
    if (this.trace) {
      console.log(
        `[seqlab:completions] request ${stats.requests} computations ${stats.computations} memory ${stats.memoryHits} ` +
          (outcome.kind === 'suggestion' ? `${outcome.source} ${JSON.stringify(outcome.text)}` : `none ${outcome.reason}`) +
          ` (${(performance.now() - started).toFixed(1)} ms in the host)`,
      );
    }
    if (token.isCancellationRequested || outcome.kind !== 'suggestion') return undefined;
    if (outcome.source === 'model') this.service.recordLatency(outcome.latencyMs);
    if (selected) return [new vscode.InlineCompletionItem(selected.text + outcome.text, selected.range)];
    return [new vscode.InlineCompletionItem(outcome.text, new vscode.Range(position, position))];
  }
}
