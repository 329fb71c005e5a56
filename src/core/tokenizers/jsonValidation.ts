// Checks for data read back from JSON (saved models, messages from webviews): the shape is
// verified field by field so that a corrupt file fails with a message naming the field.

import { isSingleCodePoint } from './codePoints';

export function invalid(what: string, problem: string): Error {
  return new Error(`Invalid ${what}: ${problem}`);
}

export function expectObject(json: unknown, what: string): Record<string, unknown> {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw invalid(what, `expected an object, got ${json === null ? 'null' : Array.isArray(json) ? 'an array' : typeof json}`);
  }
  return json as Record<string, unknown>;
}

export function expectStringArray(value: unknown, what: string, field: string): string[] {
  if (!Array.isArray(value)) throw invalid(what, `"${field}" must be an array of strings`);
  value.forEach((item, i) => {
    if (typeof item !== 'string') throw invalid(what, `"${field}[${i}]" must be a string, got ${typeof item}`);
  });
  return value as string[];
}

/** An array of distinct one-code-point strings. */
export function expectCharList(value: unknown, what: string, field: string): string[] {
  const chars = expectStringArray(value, what, field);
  const seen = new Set<string>();
  chars.forEach((ch, i) => {
    if (!isSingleCodePoint(ch)) throw invalid(what, `"${field}[${i}]" must be a single character, got ${JSON.stringify(ch)}`);
    if (seen.has(ch)) throw invalid(what, `"${field}[${i}]" repeats ${JSON.stringify(ch)}`);
    seen.add(ch);
  });
  return chars;
}

export function expectVersion(record: Record<string, unknown>, what: string, version: number): void {
  if (record.version !== version) {
    throw invalid(what, `unsupported version ${JSON.stringify(record.version)} (expected ${version})`);
  }
}

/** A vocabulary cap: a whole number no smaller than `minimum`. */
export function checkMaxVocab(maxVocab: number, minimum: number, what: string): void {
  if (!Number.isInteger(maxVocab) || maxVocab < minimum) {
    throw new RangeError(`${what} maxVocab must be an integer >= ${minimum}, got ${maxVocab}`);
  }
}
