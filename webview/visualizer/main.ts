// "Inside the Model" view. Until a model is active it shows the text it follows and why
// nothing more can be shown yet.
import type { CursorContextMessage } from '../../src/protocol';
import { connect, el } from '../shared/host';

const app = document.getElementById('app')!;
const TAIL_CHARS = 80;

function render(message: CursorContextMessage): void {
  const tail = message.textBeforeCursor.slice(-TAIL_CHARS);
  app.replaceChildren(
    el('p', { id: 'subject' }, message.fileName ? `Following ${message.fileName}` : 'Not following any editor.'),
    ...(tail ? [el('pre', { class: 'context', 'aria-label': 'Text before the cursor' }, tail)] : []),
    ...(message.unavailableReason ? [el('p', { class: 'muted', id: 'unavailable' }, message.unavailableReason)] : []),
  );
}

connect({
  init: () => app.replaceChildren(el('p', {}, 'Waiting for an editor…')),
  cursorContext: render,
});
