// What must not, or cannot, be trained on, as pure functions shared by the extension host's
// workspace corpus and the CLI's folder reader: secrets (a language model can repeat what it
// saw, so a key in the corpus is a key in the completions), binary files, and size caps.
// No vscode, no DOM, no Node built-ins.

/** Why a file was left out of a training corpus. */
export type ExclusionReason =
  | 'ignored-directory'
  | 'gitignored'
  | 'secret'
  | 'too-large'
  | 'binary'
  | 'symlink'
  | 'unreadable'
  | 'sampled-out';

/** How each reason reads in a summary ("2 secrets"). */
export const EXCLUSION_LABELS: Readonly<Record<ExclusionReason, { one: string; many: string }>> = {
  'ignored-directory': { one: 'ignored directory', many: 'ignored directories' },
  gitignored: { one: 'file ignored by .gitignore', many: 'files ignored by .gitignore' },
  secret: { one: 'secret', many: 'secrets' },
  'too-large': { one: 'file over the size cap', many: 'files over the size cap' },
  binary: { one: 'binary file', many: 'binary files' },
  symlink: { one: 'symbolic link', many: 'symbolic links' },
  unreadable: { one: 'unreadable file', many: 'unreadable files' },
  'sampled-out': { one: 'file left out to keep under the total cap', many: 'files left out to keep under the total cap' },
};

// ---- secrets ----------------------------------------------------------------------------

/** Extensions of key, certificate and keystore files (lower case, with the dot). */
const SECRET_EXTENSIONS: readonly string[] = [
  '.pem', '.key', '.crt', '.cer', '.der', '.p12', '.pfx', '.p8', '.jks', '.keystore', '.ppk', '.kdbx', '.gpg', '.pgp',
];

/** Whole file names (lower case) that hold credentials by convention. */
const SECRET_NAMES: readonly string[] = ['.netrc', '_netrc', '.pgpass', '.htpasswd', '.npmrc', '.pypirc', '.git-credentials', 'credentials.json'];

/**
 * Secrets by file name alone, decided before the file is read: `.env*` files, key and
 * certificate files, SSH private keys (`id_rsa*` and kin), and credential stores.
 */
export function isSecretFileName(name: string): boolean {
  const lower = name.toLowerCase();
  return (
    lower.startsWith('.env') ||
    SECRET_EXTENSIONS.some((ext) => lower.endsWith(ext)) ||
    SECRET_NAMES.includes(lower) ||
    /^id_(rsa|dsa|ecdsa|ed25519)/.test(lower)
  );
}

/**
 * Secrets by path ('/'-separated): a secret file name, or anything inside an `.ssh` folder or
 * an `.aws`, `.gnupg` or `.docker` configuration folder.
 */
export function isSecretPath(path: string): boolean {
  const parts = path.split('/');
  const name = parts[parts.length - 1];
  return isSecretFileName(name) || parts.slice(0, -1).some((p) => SECRET_FOLDERS.includes(p.toLowerCase()));
}

const SECRET_FOLDERS: readonly string[] = ['.ssh', '.aws', '.gnupg', '.docker'];

/** Well-known secret formats: a match anywhere in a file excludes the whole file. */
export const SECRET_PATTERNS: ReadonlyArray<{ readonly kind: string; readonly pattern: RegExp }> = [
  { kind: 'private key block', pattern: /-----BEGIN [A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----/ },
  { kind: 'AWS access key', pattern: /\b(AKIA|ASIA)[0-9A-Z]{16}\b/ },
  { kind: 'GitHub token', pattern: /\b(gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,})\b/ },
  { kind: 'GitLab token', pattern: /\bglpat-[A-Za-z0-9_-]{20,}\b/ },
  { kind: 'Slack token', pattern: /\bxox[abposr]-[A-Za-z0-9-]{10,}\b/ },
  { kind: 'Stripe secret key', pattern: /\b[rs]k_live_[A-Za-z0-9]{20,}\b/ },
  { kind: 'Google API key', pattern: /\bAIza[0-9A-Za-z_-]{35}\b/ },
  { kind: 'OpenAI or Anthropic API key', pattern: /\bsk-(proj-|ant-[a-z0-9]+-)?[A-Za-z0-9_-]{32,}/ },
  { kind: 'npm token', pattern: /\bnpm_[A-Za-z0-9]{36}\b/ },
  { kind: 'JSON Web Token', pattern: /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/ },
];

/** The kind of the first well-known secret in `text`, or null when none is found. */
export function findSecret(text: string): string | null {
  for (const { kind, pattern } of SECRET_PATTERNS) if (pattern.test(text)) return kind;
  return null;
}

/** True when `text` holds a PEM private key block (BEGIN RSA PRIVATE KEY and the like, between dashes). */
export function containsPrivateKey(text: string): boolean {
  return SECRET_PATTERNS[0].pattern.test(text);
}

// ---- binary -----------------------------------------------------------------------------

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/** The UTF-8 text of `bytes` (without a byte-order mark), or null if they contain NUL or are not valid UTF-8. */
export function decodeText(bytes: Uint8Array): string | null {
  if (bytes.includes(0)) return null;
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return null;
  }
}

// ---- caps -------------------------------------------------------------------------------

/**
 * Which files to keep so that their total size stays within `cap`, spread evenly over the list
 * (systematic sampling: file i is kept when the running share of the cap it has "earned" covers
 * it), so a capped corpus still draws from every part of the workspace rather than from the
 * first folders alphabetically. Everything is kept when the total fits. Deterministic.
 */
export function sampleEvenly(sizes: readonly number[], cap: number): boolean[] {
  const total = sizes.reduce((s, n) => s + n, 0);
  if (total <= cap) return sizes.map(() => true);
  const share = cap / total;
  const keep: boolean[] = [];
  let earned = 0;
  let kept = 0;
  for (const size of sizes) {
    earned += size * share;
    const take = kept + size <= cap && kept + size / 2 <= earned;
    keep.push(take);
    if (take) kept += size;
  }
  return keep;
}
