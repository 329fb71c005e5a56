// Byte-level fallback: a character the vocabulary has never seen is spelled as the bytes of
// its UTF-8 encoding, so every string has an encoding and nothing becomes <unk>.
//
// JS strings may hold lone surrogates, which UTF-8 cannot encode. We use the generalised
// UTF-8 of WTF-8: a lone surrogate is encoded like any other BMP code point (3 bytes,
// ED A0..BF xx), and decoded back to the same lone code unit, so it round-trips too.
// A surrogate *pair* is always one astral code point (4 bytes): the tokenizers split text
// into code points, so a pair never reaches here as two halves.

export const BYTE_COUNT = 256;

/** The (generalised) UTF-8 bytes of one code point. */
export function codePointBytes(codePoint: number): number[] {
  if (codePoint < 0x80) return [codePoint];
  if (codePoint < 0x800) return [0xc0 | (codePoint >> 6), 0x80 | (codePoint & 0x3f)];
  if (codePoint < 0x10000) {
    return [0xe0 | (codePoint >> 12), 0x80 | ((codePoint >> 6) & 0x3f), 0x80 | (codePoint & 0x3f)];
  }
  return [
    0xf0 | (codePoint >> 18),
    0x80 | ((codePoint >> 12) & 0x3f),
    0x80 | ((codePoint >> 6) & 0x3f),
    0x80 | (codePoint & 0x3f),
  ];
}

const REPLACEMENT = '\uFFFD';

function isContinuation(byte: number | undefined): boolean {
  return byte !== undefined && (byte & 0xc0) === 0x80;
}

/** Lowest and highest allowed second byte after a lead byte (rules out overlong forms). */
function secondByteRange(lead: number): [number, number] {
  if (lead === 0xe0) return [0xa0, 0xbf];
  if (lead === 0xf0) return [0x90, 0xbf];
  if (lead === 0xf4) return [0x80, 0x8f];
  return [0x80, 0xbf];
}

/** Bytes in the sequence a lead byte starts, or 0 if it cannot start one. */
function sequenceLength(lead: number): number {
  if (lead < 0x80) return 1;
  if (lead >= 0xc2 && lead <= 0xdf) return 2;
  if (lead >= 0xe0 && lead <= 0xef) return 3;
  if (lead >= 0xf0 && lead <= 0xf4) return 4;
  return 0;
}

/**
 * Decodes generalised UTF-8. Encoded lone surrogates come back as lone surrogates. Bytes that
 * form no valid sequence (which a model sampling byte tokens can produce) each become U+FFFD.
 */
export function decodeBytes(bytes: readonly number[]): string {
  let out = '';
  let i = 0;
  while (i < bytes.length) {
    const lead = bytes[i];
    const length = sequenceLength(lead);
    if (length === 1) {
      out += String.fromCharCode(lead);
      i++;
      continue;
    }
    const [low, high] = secondByteRange(lead);
    const second = bytes[i + 1];
    let valid = length > 0 && second !== undefined && second >= low && second <= high;
    for (let k = 2; valid && k < length; k++) valid = isContinuation(bytes[i + k]);
    if (!valid) {
      out += REPLACEMENT;
      i++;
      continue;
    }
    let codePoint = lead & (0xff >> (length + 1));
    for (let k = 1; k < length; k++) codePoint = (codePoint << 6) | (bytes[i + k] & 0x3f);
    out += String.fromCodePoint(codePoint);
    i += length;
  }
  return out;
}

/** Display label of a byte token, e.g. <0xE2>. */
export function byteLabel(byte: number): string {
  return `<0x${byte.toString(16).toUpperCase().padStart(2, '0')}>`;
}
