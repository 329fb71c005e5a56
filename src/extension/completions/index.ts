// Wires inline completions into the extension: the service (engine lifecycle), the provider, the
// status-bar item and the toggle/snooze commands. Cheap: nothing loads until the first request.
import * as vscode from 'vscode';
import type { ModelRegistry } from '../models/modelRegistry';
import { CompletionProvider, COMPLETION_SELECTOR } from './completionProvider';
import { CompletionService } from './completionService';
import { CompletionStatus, TOGGLE_COMMAND } from './completionStatus';

export const SNOOZE_COMMAND = 'seqlab.snoozeCompletions';
const SNOOZE_CHOICES = [5, 15, 30, 60, 120];

export interface Completions {
  readonly service: CompletionService;
  readonly provider: CompletionProvider;
  readonly status: CompletionStatus;
}

export function registerCompletions(
  context: vscode.ExtensionContext,
  registry: ModelRegistry,
  /** Fires with whether a model is training (the status bar says so; the model pauses). */
  onTrainingChange: vscode.Event<boolean>,
): { completions: Completions; disposables: vscode.Disposable[] } {
  const log = vscode.window.createOutputChannel('Sequence Lab Completions', { log: true });
  const service = new CompletionService(context, registry, log);
  const provider = new CompletionProvider(service);
  const status = new CompletionStatus(service.status(), service.onDidChangeStatus);
  // The name of what will serve, in the status bar, read after activation (cards only, no weights).
  void service.modelToServe().then(
    (entry) => service.status().modelName === undefined && status.update({ ...service.status(), modelName: entry?.card.name ?? 'workspace n-gram' }),
    () => undefined,
  );
  const disposables: vscode.Disposable[] = [
    onTrainingChange((training) => training !== service.status().training && service.setTraining(training)),
    log,
    service,
    status,
    vscode.languages.registerInlineCompletionItemProvider(COMPLETION_SELECTOR, provider),
    vscode.commands.registerCommand(TOGGLE_COMMAND, async () => {
      // Snoozed: the click resumes; otherwise it flips seqlab.completions.enabled.
      if (service.snoozedUntil() !== undefined) await service.snooze(0);
      else await service.setEnabled(!service.status().enabled);
      return service.status().state;
    }),
    vscode.commands.registerCommand(SNOOZE_COMMAND, async (minutes?: number) => {
      let chosen = typeof minutes === 'number' ? minutes : undefined;
      if (chosen === undefined) {
        const pick = await vscode.window.showQuickPick(
          SNOOZE_CHOICES.map((m) => ({ label: `${m} minutes`, minutes: m })),
          { title: 'Snooze Sequence Lab completions for…' },
        );
        if (!pick) return undefined;
        chosen = pick.minutes;
      }
      const until = await service.snooze(chosen);
      if (until !== undefined) {
        void vscode.window.setStatusBarMessage(`Sequence Lab: completions snoozed until ${new Date(until).toLocaleTimeString()}`, 3000);
      }
      return until;
    }),
  ];
  return { completions: { service, provider, status }, disposables };
}
