// The train/validation split of a corpus of texts, by whole file, decided on characters before
// tokenizing (so the tokenizer is built from the training side only). Same rule as
// core/training/tokenStream.ts `splitCorpus`, which it calls with lengths only: no copy of the
// texts is made, which matters for a 20 MB workspace.
import { splitCorpus, type Document } from '../training/tokenStream';

export interface TextFile {
  /** Stable name the split is keyed on (a workspace-relative path). */
  readonly path: string;
  readonly text: string;
}

export interface TextSplit<F extends TextFile> {
  readonly train: F[];
  readonly validation: F[];
  readonly splitBy: 'file' | 'position';
}

/** A stand-in for a document's tokens that only knows its length. */
function lengthOnly(n: number): ArrayLike<number> {
  return { length: n } as ArrayLike<number>;
}

export function splitTexts<F extends TextFile>(
  files: readonly F[],
  options: { seed?: number; validationFraction?: number } = {},
): TextSplit<F> {
  const docs: Document[] = files.map((f) => ({ name: f.path, tokens: lengthOnly(f.text.length) }));
  const split = splitCorpus(docs, { seed: options.seed ?? 0, validationFraction: options.validationFraction ?? 0.1 });
  if (split.splitBy === 'position') {
    const file = files.find((f) => f.path === split.train[0].name)!;
    const cut = split.train[0].tokens.length;
    return {
      train: [{ ...file, text: file.text.slice(0, cut) }],
      validation: [{ ...file, text: file.text.slice(cut) }],
      splitBy: 'position',
    };
  }
  const byPath = new Map(files.map((f) => [f.path, f]));
  const back = (list: readonly Document[]) => list.map((d) => byPath.get(d.name!)!);
  return { train: back(split.train), validation: back(split.validation), splitBy: 'file' };
}
