// The one secret scanner every corpus goes through (CLI, training from the palette, the workspace
// n-gram): a language model repeats what it saw, so a key in the corpus is a key in the
// completions. Three looks: the path (credential folders and file names, decided before reading),
// provider formats in the text (after gitleaks' rules and GitHub secret scanning's documented
// token prefixes), and generic shapes: a high-entropy value assigned to a secret-sounding name,
// a URL or connection string carrying a password. A hit anywhere excludes the whole file.
// No vscode, no DOM, no Node built-ins.

// ---- paths ------------------------------------------------------------------------------

/** Folders whose every file is a credential or configuration holding one. */
const SECRET_FOLDERS: readonly string[] = ['.ssh', '.aws', '.gnupg', '.docker'];

/** Extensions (lower case, with the dot) of key, certificate, keystore and state files. */
const SECRET_EXTENSIONS: readonly string[] = [
  '.pem', '.key', '.crt', '.cer', '.der', '.p12', '.pfx', '.p8', '.jks', '.keystore', '.ppk', '.kdbx', '.gpg', '.pgp',
  '.asc', '.tfstate', '.tfvars', '.env', '.keychain', '.ovpn',
];

/** Whole file names (lower case) that hold credentials by convention. */
const SECRET_NAMES: readonly string[] = [
  '.netrc', '_netrc', '.pgpass', '.htpasswd', '.npmrc', '.pypirc', '.git-credentials', 'credentials.json', 'credentials',
  'kubeconfig', 'secrets.yml', 'secrets.yaml', 'secrets.json', '.vault-token', 'service-account.json',
];

/** Secret by file name alone: `.env`, `.env.local`, `prod.env`, keys, key stores, credential files. */
function secretFileName(name: string): string | null {
  const lower = name.toLowerCase();
  if (lower === '.env' || lower.startsWith('.env.') || lower.startsWith('.env-')) return 'environment file';
  if (/^id_(rsa|dsa|ecdsa|ed25519)(_sk)?(\.|$)/.test(lower)) return 'SSH key file';
  if (SECRET_NAMES.includes(lower)) return 'credential file';
  if (SECRET_EXTENSIONS.some((ext) => lower.endsWith(ext) && lower.length > ext.length)) return 'key or credential file';
  if (lower.endsWith('.tfstate.backup')) return 'key or credential file';
  return null;
}

/**
 * The kind of secret a '/'-separated path names (its file name, or a credential folder anywhere
 * on it), or null. Folders count too: a path ending in `.ssh` is refused before it is entered.
 */
export function secretInPath(path: string): string | null {
  const parts = path.split('/').filter((p) => p !== '');
  const folder = parts.find((p) => SECRET_FOLDERS.includes(p.toLowerCase()));
  if (folder !== undefined) return `${folder.toLowerCase()} folder`;
  return parts.length ? secretFileName(parts[parts.length - 1]) : null;
}

// ---- provider formats -------------------------------------------------------------------

interface SecretRule {
  readonly kind: string;
  readonly pattern: RegExp;
}

const b = String.raw;

/** Formats with a fixed prefix or shape: a match is a secret whatever surrounds it. */
const PROVIDER_RULES: readonly SecretRule[] = [
  { kind: 'private key block', pattern: /-----BEGIN[A-Z0-9 ]* PRIVATE KEY( BLOCK)?-----/ },
  { kind: 'private key block', pattern: /---- BEGIN SSH2 (ENCRYPTED )?PRIVATE KEY ----/ },
  { kind: 'PuTTY private key', pattern: /PuTTY-User-Key-File-\d+:/ },
  { kind: 'age secret key', pattern: /\bAGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58}\b/ },
  { kind: 'AWS access key', pattern: /\b(AKIA|ASIA|ABIA|ACCA|A3T[A-Z0-9])[A-Z0-9]{16}\b/ },
  { kind: 'AWS secret key', pattern: /aws_?secret_?(access_?)?key["']?\s*[:=]\s*["']?[A-Za-z0-9/+=]{40}/i },
  { kind: 'GitHub token', pattern: /\bgh[pousr]_[A-Za-z0-9]{36,255}\b/ },
  { kind: 'GitHub token', pattern: /\bgithub_pat_[A-Za-z0-9_]{22,255}\b/ },
  { kind: 'GitLab token', pattern: /\b(glpat|glrt|gldt|glptt|glft|glsoat|glcbt|glimt|glagent|gloas|glffct)-[0-9A-Za-z_-]{20,}/ },
  { kind: 'GitLab token', pattern: /\bGR1348941[0-9A-Za-z_-]{20,}/ },
  { kind: 'Slack token', pattern: /\bxox[abposre]-[0-9A-Za-z-]{10,}/ },
  { kind: 'Slack token', pattern: /\bxoxe\.xox[bp]-\d-[0-9A-Za-z]{20,}/ },
  { kind: 'Slack token', pattern: /\bxapp-\d-[A-Z0-9]+-\d+-[a-z0-9]+/i },
  { kind: 'Slack webhook', pattern: /hooks\.slack\.com\/(services|workflows|triggers)\/[A-Za-z0-9+/]{20,}/ },
  { kind: 'Discord webhook', pattern: /discord(app)?\.com\/api\/webhooks\/\d+\/[A-Za-z0-9_-]{40,}/ },
  { kind: 'Stripe key', pattern: /\b(sk|rk)_(live|test|prod)_[0-9A-Za-z]{16,}/ },
  { kind: 'Stripe webhook secret', pattern: /\bwhsec_[0-9A-Za-z+/=]{24,}/ },
  { kind: 'Google API key', pattern: /\bAIza[0-9A-Za-z_-]{35}/ },
  { kind: 'Google OAuth client secret', pattern: /\bGOCSPX-[0-9A-Za-z_-]{20,}/ },
  { kind: 'Google OAuth access token', pattern: /\bya29\.[0-9A-Za-z_-]{20,}/ },
  { kind: 'OpenAI or Anthropic API key', pattern: /\bsk-(proj-|svcacct-|admin-|ant-[a-z0-9]+-)?[A-Za-z0-9_-]{32,}/ },
  { kind: 'Hugging Face token', pattern: /\bhf_[A-Za-z]{34,}\b/ },
  { kind: 'npm token', pattern: /\bnpm_[A-Za-z0-9]{36}\b/ },
  { kind: 'npm token', pattern: /\b(_authToken|npmAuthToken)["']?\s*[:=]\s*["']?[A-Za-z0-9+/=_-]{8,}/ },
  { kind: 'PyPI token', pattern: /\bpypi-AgEIcHlwaS5vcmc[0-9A-Za-z_-]{50,}/ },
  { kind: 'Docker Hub token', pattern: /\bdckr_pat_[0-9A-Za-z_-]{20,}/ },
  { kind: 'JSON Web Token', pattern: /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/ },
  { kind: 'Azure storage key', pattern: /AccountKey=[A-Za-z0-9+/]{40,}={0,2}/ },
  { kind: 'Azure SAS token', pattern: /[?&]sig=[A-Za-z0-9%+/]{30,}/ },
  { kind: 'Azure client secret', pattern: /\b[A-Za-z0-9_~.]{3}\dQ~[A-Za-z0-9_~.-]{31,34}/ },
  { kind: 'kubeconfig key', pattern: /\bclient-key-data\s*:\s*["']?[A-Za-z0-9+/=]{20,}/ },
  { kind: 'SendGrid key', pattern: /\bSG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}/ },
  { kind: 'Twilio key', pattern: /\bSK[0-9a-f]{32}\b/ },
  { kind: 'Mailgun key', pattern: /\bkey-[0-9a-f]{32}\b/ },
  { kind: 'Mailchimp key', pattern: /\b[0-9a-f]{32}-us\d{1,2}\b/ },
  { kind: 'Shopify token', pattern: /\bshp(at|ss|ca|pa)_[0-9a-fA-F]{32}\b/ },
  { kind: 'Square token', pattern: /\bsq0(atp|csp)-[0-9A-Za-z_-]{22,}/ },
  { kind: 'Telegram bot token', pattern: /\b\d{8,10}:AA[0-9A-Za-z_-]{32,35}/ },
  { kind: 'DigitalOcean token', pattern: /\bdo[opr]_v1_[a-f0-9]{64}\b/ },
  { kind: 'HashiCorp Vault token', pattern: /\bhv[sbr]\.[A-Za-z0-9_-]{24,}/ },
  { kind: 'Terraform Cloud token', pattern: /\b[A-Za-z0-9]{14}\.atlasv1\.[A-Za-z0-9_=-]{60,}/ },
  { kind: 'Databricks token', pattern: /\bdapi[a-f0-9]{32}\b/ },
  { kind: 'Atlassian token', pattern: /\bATATT3[A-Za-z0-9_=-]{100,}/ },
  { kind: 'Grafana token', pattern: /\b(glsa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8}|glc_[A-Za-z0-9+/]{32,}={0,2})/ },
  { kind: 'New Relic key', pattern: /\bNRAK-[A-Z0-9]{27}\b/ },
  { kind: 'Linear key', pattern: /\blin_api_[A-Za-z0-9]{40}\b/ },
  { kind: 'Postman key', pattern: /\bPMAK-[a-f0-9]{24}-[a-f0-9]{34}\b/ },
  { kind: 'Supabase key', pattern: /\b(sbp_[a-f0-9]{40}|sb_secret_[A-Za-z0-9_-]{20,})/ },
  { kind: 'Sentry token', pattern: /\bsntr[ysu]_[A-Za-z0-9+/=_-]{40,}/ },
];

// ---- generic shapes ---------------------------------------------------------------------

/**
 * A URL or connection string with a password: `scheme://user:password@host`. A placeholder
 * password (`${PASSWORD}`, `$PASS`, `<password>`, `{{pw}}`, `%s`) is not a secret.
 */
const CREDENTIAL_URL = new RegExp(b`\b[a-z][a-z0-9+.-]{1,30}://[^\s:/@"'<>` + '`' + b`]{1,100}:([^\s@/"'<>` + '`' + b`]{1,200})@[A-Za-z0-9.\[\]-]`, 'gi');
const PLACEHOLDER = /^(\$|<|\{|%|\*+$|x+$|\.\.\.$)|password|passwd|secret|changeme|example/i;

/**
 * A name that says "secret", then an assignment (`=`, `:`, `:=`, `=>`), then a quoted or bare
 * value. Every part is bounded, so a megabyte of base64 costs linear time, not quadratic.
 */
const SECRET_ASSIGNMENT =
  /(?:secret|token|passw(?:or)?d|pwd|api[_-]?key|apikey|access[_-]?key|private[_-]?key|auth[_-]?key|credential|signing[_-]?key|encryption[_-]?key|session[_-]?key)[A-Za-z0-9_]{0,40}["']?\s{0,8}(?::=|=>|[:=])\s{0,8}["'`]?([A-Za-z0-9+/=_\-.~!@#%^&*]{16,200})/gi;

/** Shannon entropy of `s` in bits per character. */
export function shannonEntropy(s: string): number {
  const counts = new Map<string, number>();
  for (const c of s) counts.set(c, (counts.get(c) ?? 0) + 1);
  let h = 0;
  for (const n of counts.values()) {
    const p = n / s.length;
    h -= p * Math.log2(p);
  }
  return h;
}

/**
 * Whether a value assigned to a secret-sounding name looks generated rather than written: long,
 * mixed letters and digits, and close to random (hex keys reach ~3.7 bits a character,
 * base64 ~5; identifiers and words stay below 3.3 and rarely hold digits).
 */
export function looksGenerated(value: string): boolean {
  if (value.length < 16) return false;
  if (!/[0-9]/.test(value) || !/[A-Za-z]/.test(value)) return false;
  // Code, not a literal: `process.env.API_TOKEN`, `config.auth.token_v2`.
  if (/^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)+$/.test(value)) return false;
  return shannonEntropy(value) >= 3.3;
}

// ---- the scanner ------------------------------------------------------------------------

/** The kind of the first secret found in `text`, or null. */
export function findSecret(text: string): string | null {
  for (const { kind, pattern } of PROVIDER_RULES) if (pattern.test(text)) return kind;
  for (const m of text.matchAll(CREDENTIAL_URL)) {
    if (!PLACEHOLDER.test(decodeURIComponentSafe(m[1]))) return 'password in a URL';
  }
  for (const m of text.matchAll(SECRET_ASSIGNMENT)) {
    if (looksGenerated(m[1])) return 'high-entropy value assigned to a secret name';
  }
  return null;
}

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** The number of provider formats the scanner knows (for docs and tests). */
export const PROVIDER_KINDS: readonly string[] = [...new Set(PROVIDER_RULES.map((r) => r.kind))];
