// A workspace of planted fake secrets and of ordinary files that must survive, generated at run
// time: every token is assembled from a prefix split in two and seeded random characters, so no
// live-looking key is committed and secret scanners run on this repository stay quiet.
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { createRng } from '../../../src/core/random';

export interface PlantedSecret {
  /** The provider format or rule it stands for. */
  readonly format: string;
  /** Where it is planted, relative to the root. */
  readonly path: string;
  /** The string that must reach no corpus. */
  readonly value: string;
}

export interface PlantedWorkspace {
  readonly secrets: readonly PlantedSecret[];
  /** Ordinary files (relative path → text) that every corpus must keep. */
  readonly ordinary: ReadonlyMap<string, string>;
  /** Every file written, relative. */
  readonly files: readonly string[];
}

const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const DIGITS = '0123456789';
const HEX = '0123456789abcdef';
const ALNUM = UPPER + LOWER + DIGITS;
const B64 = ALNUM + '+/';
const URLSAFE = ALNUM + '-_';

/** Joins its parts: a prefix written as 'gh' + 'p_' never appears whole in this file. */
const j = (...parts: string[]) => parts.join('');

export function plantSecrets(root: string, seed = 11): PlantedWorkspace {
  const rng = createRng(seed);
  const r = (alphabet: string, n: number) => Array.from({ length: n }, () => alphabet[rng.int(alphabet.length)]).join('');
  /** Random characters from `alphabet` with at least one digit and one letter (as real keys have). */
  const rm = (alphabet: string, n: number) => r(DIGITS, 1) + r(LOWER, 1) + r(alphabet, n - 2);

  // Each format: how to make a value, and how to embed it in a file (a few syntaxes, cycled).
  const formats: Array<{ format: string; make: () => string; wrap?: (v: string) => string }> = [
    { format: 'AWS access key id', make: () => j('AK', 'IA') + r(UPPER + DIGITS, 16) },
    { format: 'AWS secret key', make: () => rm(B64, 40), wrap: (v) => `aws_secret_access_key = ${v}\n` },
    { format: 'GitHub classic token', make: () => j('gh', 'p_') + r(ALNUM, 36) },
    { format: 'GitHub OAuth token', make: () => j('gh', 'o_') + r(ALNUM, 36) },
    { format: 'GitHub fine-grained token', make: () => j('github', '_pat_') + r(ALNUM, 22) + '_' + r(ALNUM, 59) },
    { format: 'GitLab personal token', make: () => j('glp', 'at-') + r(URLSAFE, 20) },
    { format: 'GitLab runner token', make: () => j('glr', 't-') + r(URLSAFE, 20) },
    { format: 'GitLab deploy token', make: () => j('gld', 't-') + r(URLSAFE, 20) },
    { format: 'GitLab pipeline trigger token', make: () => j('glpt', 't-') + r(HEX, 40) },
    { format: 'Slack bot token', make: () => j('xo', 'xb-') + r(DIGITS, 12) + '-' + r(DIGITS, 12) + '-' + r(ALNUM, 24) },
    { format: 'Slack app token', make: () => j('xa', 'pp-') + '1-A' + r(UPPER + DIGITS, 10) + '-' + r(DIGITS, 13) + '-' + r(HEX, 64) },
    { format: 'Slack config token', make: () => j('xo', 'xe.xo', 'xp-') + '1-' + r(UPPER + DIGITS, 163) },
    { format: 'Slack webhook', make: () => j('https://hooks.sl', 'ack.com/services/') + 'T' + r(UPPER + DIGITS, 8) + '/B' + r(UPPER + DIGITS, 10) + '/' + r(ALNUM, 24) },
    { format: 'Stripe live key', make: () => j('sk', '_live_') + r(ALNUM, 24) },
    { format: 'Stripe test key', make: () => j('sk', '_test_') + r(ALNUM, 24) },
    { format: 'Stripe webhook secret', make: () => j('wh', 'sec_') + r(ALNUM, 32) },
    { format: 'Google API key', make: () => j('AI', 'za') + r(URLSAFE, 35) },
    { format: 'Google OAuth client secret', make: () => j('GOC', 'SPX-') + r(URLSAFE, 28) },
    { format: 'Google OAuth access token', make: () => j('ya', '29.') + r(URLSAFE, 60) },
    { format: 'OpenAI project key', make: () => j('sk', '-proj-') + r(URLSAFE, 48) },
    { format: 'Anthropic key', make: () => j('sk', '-ant-api03-') + r(URLSAFE, 93) + 'AA' },
    { format: 'npm token', make: () => j('np', 'm_') + r(ALNUM, 36) },
    { format: 'npmAuthToken in .yarnrc.yml', make: () => rm(ALNUM, 36), wrap: (v) => `npmRegistryServer: "https://registry.example.org"\nnpmAuthToken: "${v}"\n` },
    { format: 'JSON Web Token', make: () => j('ey', 'JhbGciOiJIUzI1NiJ9.ey', 'J') + r(URLSAFE, 40) + '.' + r(URLSAFE, 43) },
    { format: 'RSA private key block', make: () => pem('RSA PRIVATE KEY', r(B64, 64 * 4)), wrap: (v) => v },
    { format: 'OpenSSH private key block', make: () => pem('OPENSSH PRIVATE KEY', r(B64, 70 * 3)), wrap: (v) => v },
    { format: 'SSH2 (RFC 4716) private key', make: () => `${j('---- BEGIN SSH2 ', 'ENCRYPTED PRIVATE KEY ----')}\nComment: "fake"\n${r(B64, 64)}\n${r(B64, 64)}\n---- END SSH2 ENCRYPTED PRIVATE KEY ----\n`, wrap: (v) => v },
    { format: 'PuTTY private key', make: () => `${j('PuTTY-User-', 'Key-File-3')}: ssh-ed25519\nEncryption: none\nPrivate-Lines: 1\n${r(B64, 44)}\n`, wrap: (v) => v },
    { format: 'password in a postgres URL', make: () => `postgres://app:${rm(ALNUM, 14)}@db.internal:5432/app`, wrap: (v) => `DATABASE_URL=${v}\n` },
    { format: 'password in a mongodb URL', make: () => `mongodb+srv://admin:${rm(ALNUM, 12)}@cluster0.example.net/test`, wrap: (v) => `const uri = '${v}';\n` },
    { format: 'Azure storage AccountKey', make: () => `DefaultEndpointsProtocol=https;AccountName=fake;AccountKey=${r(B64, 86)}==;EndpointSuffix=core.windows.net` },
    { format: 'kubeconfig client-key-data', make: () => r(B64, 120), wrap: (v) => `users:\n- name: admin\n  user:\n    client-key-data: ${v}\n` },
    { format: 'SendGrid key', make: () => j('S', 'G.') + r(URLSAFE, 22) + '.' + r(URLSAFE, 43) },
    { format: 'Twilio API key', make: () => j('S', 'K') + r(HEX, 32) },
    { format: 'Hugging Face token', make: () => j('h', 'f_') + r(UPPER + LOWER, 34) },
    { format: 'DigitalOcean token', make: () => j('do', 'p_v1_') + r(HEX, 64) },
    { format: 'Vault token', make: () => j('hv', 's.') + r(URLSAFE, 90) },
    { format: 'PyPI token', make: () => j('pypi-AgEIcHlwaS5', 'vcmc') + r(URLSAFE, 70) },
    { format: 'Docker Hub token', make: () => j('dckr', '_pat_') + r(URLSAFE, 27) },
    { format: 'Telegram bot token', make: () => r(DIGITS, 10) + ':' + j('A', 'A') + r(URLSAFE, 33) },
    { format: 'Shopify token', make: () => j('shp', 'at_') + r(HEX, 32) },
    { format: 'Discord webhook', make: () => j('https://discord.com/api/', 'webhooks/') + r(DIGITS, 18) + '/' + r(URLSAFE, 68) },
    { format: 'age secret key', make: () => j('AGE-SECRET', '-KEY-1') + r('QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L', 58) },
    { format: 'Mailgun key', make: () => j('ke', 'y-') + r(HEX, 32) },
    { format: 'high-entropy client secret', make: () => rm(ALNUM, 32), wrap: (v) => `export const clientSecret = "${v}";\n` },
    { format: 'high-entropy api_key in YAML', make: () => rm(URLSAFE, 40), wrap: (v) => `service:\n  api_key: ${v}\n` },
    { format: 'high-entropy DB_PASSWORD', make: () => rm(ALNUM + '!#%', 20), wrap: (v) => `settings = {"DB_PASSWORD": "${v}"}\n` },
  ];
  const syntaxes: Array<{ ext: string; wrap: (v: string) => string }> = [
    { ext: 'ts', wrap: (v) => `// service wiring\nexport const credential = '${v}';\nexport const retries = 3;\n` },
    { ext: 'yml', wrap: (v) => `service:\n  name: billing\n  key: "${v}"\n` },
    { ext: 'py', wrap: (v) => `import os\n\nCLIENT = connect(key="${v}")\n` },
  ];

  const secrets: PlantedSecret[] = [];
  const files: string[] = [];
  const write = (relative: string, text: string) => {
    const file = path.join(root, relative);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, text);
    files.push(relative);
  };
  const pem = (label: string, body: string) =>
    `${j('-----BEGIN ', label, '-----')}\n${body.match(/.{1,64}/g)!.join('\n')}\n-----END ${label}-----\n`;

  formats.forEach((f, i) => {
    // Two of each format, in two syntaxes (its own wrapper, when it has one, for both).
    for (let k = 0; k < 2; k++) {
      const value = f.make();
      const syntax = syntaxes[(i + k) % syntaxes.length];
      const text = f.wrap ? f.wrap(value) : syntax.wrap(value);
      const name = f.format.toLowerCase().replace(/[^a-z0-9]+/g, '-');
      const relative = f.format.includes('.yarnrc') ? `pkg${k}/.yarnrc.yml` : `services/${name}-${k}.${f.wrap ? 'txt' : syntax.ext}`;
      write(relative, `# ${f.format}\n${text}`);
      secrets.push({ format: f.format, path: relative, value });
    }
  });

  // Secrets by file name and folder: refused before they are read.
  const byName: Array<[string, string, (v: string) => string]> = [
    ['.env', 'environment file', (v) => `API_KEY=${v}\n`],
    ['config/.env.production', 'environment file', (v) => `SECRET=${v}\n`],
    ['deploy/prod.env', 'environment file (NAME.env)', (v) => `TOKEN=${v}\n`],
    ['home/.ssh/id_ed25519', 'SSH key in .ssh', (v) => `${v}\n`],
    ['home/.ssh/config', '.ssh folder', (v) => `Host x\n  IdentityFile ~/.ssh/${v}\n`],
    ['home/.aws/credentials', '.aws folder', (v) => `[default]\nkey = ${v}\n`],
    ['home/.docker/config.json', '.docker folder', (v) => `{"auths":{"r":{"auth":"${v}"}}}\n`],
    ['home/.gnupg/gpg.conf', '.gnupg folder', (v) => `default-key ${v}\n`],
    ['certs/server.key', 'key file', (v) => `${v}\n`],
    ['id_rsa', 'SSH key file', (v) => `${v}\n`],
    ['.npmrc', 'npm credentials file', (v) => `//registry/:x=${v}\n`],
    ['.netrc', 'netrc', (v) => `machine h login u password ${v}\n`],
    ['infra/terraform.tfstate', 'Terraform state', (v) => `{"outputs":{"pw":{"value":"${v}"}}}\n`],
    ['k8s/kubeconfig', 'kubeconfig file', (v) => `token: ${v}\n`],
  ];
  for (const [relative, format, wrap] of byName) {
    // Low-entropy values on purpose: only the name or the folder can catch these.
    const value = `plain-${r(LOWER, 10)}`;
    write(relative, wrap(value));
    secrets.push({ format, path: relative, value });
  }

  const ordinary = new Map<string, string>();
  const keep = (relative: string, text: string) => {
    write(relative, text);
    ordinary.set(relative, text);
  };
  const uuid = () => `${r(HEX, 8)}-${r(HEX, 4)}-4${r(HEX, 3)}-a${r(HEX, 3)}-${r(HEX, 12)}`;
  keep('src/hashing.ts', `// Known digests of the test vectors.\nexport const SHA256_EMPTY = '${r(HEX, 64)}';\nexport const sha1 = "${r(HEX, 40)}";\nexport const md5 = '${r(HEX, 32)}';\n`);
  keep('src/ids.ts', `export const fixtures = [\n  { id: '${uuid()}', name: 'alice' },\n  { id: '${uuid()}', name: 'bob' },\n];\n`);
  keep('test/png.test.ts', `// a 1x1 PNG\nconst png = '${r(B64, 120)}==';\nconst gif = "R0lGODlhAQABAIAAAP///wAAACH5BAEAAAAALAAAAAABAAEAAAICRAEAOw==";\nexpect(decode(png).length).toBe(67);\n`);
  keep('package-lock.json', `{\n  "packages": {\n    "node_modules/left-pad": {\n      "version": "1.3.0",\n      "resolved": "https://registry.npmjs.org/left-pad/-/left-pad-1.3.0.tgz",\n      "integrity": "sha512-${r(B64, 86)}=="\n    }\n  }\n}\n`);
  keep('CHANGELOG.md', `## 1.2.0\n- merged ${r(HEX, 40)} and ${r(HEX, 7)}\n- tokens now start with a prefix such as ghp_ (see the docs)\n`);
  keep('src/auth/form.ts', `export function validate(form: { password: string; token?: string }) {\n  const passwordField = 'password';\n  const tokenType = 'Bearer';\n  if (form.password.length < 12) return 'password too short';\n  return form[passwordField] === '' ? 'missing' : null;\n}\n`);
  keep('src/config.ts', `export const apiKey = process.env.SERVICE_API_KEY;\nexport const secretName = config.vault.secretNameForServiceAccount;\nexport const tokenizerKind = 'char';\nconst maxTokens = 1234567890123456;\n`);
  keep('src/db.ts', `const local = 'postgres://localhost:5432/dev';\nconst templated = \`postgres://\${user}:\${password}@\${host}/app\`;\nconst doc = 'mysql://user:<password>@host/db';\nconst env = 'redis://:$REDIS_PASSWORD@cache:6379';\n`);
  keep('docs/keys.md', `Public keys are fine to publish:\n\n    ssh-ed25519 ${j('AAAAC3NzaC1lZDI1NTE5AAAA', r(B64, 43))} dev@laptop\n\n-----BEGIN PUBLIC KEY-----\n${r(B64, 64)}\n-----END PUBLIC KEY-----\n`);
  keep('src/theme.css', `:root { --accent: #${r(HEX, 6)}; --bg: #${r(HEX, 6)}; }\n.a { color: #fff; }\n`);
  keep('src/minified.js', `!function(e){var t={};function n(r){if(t[r])return t[r].exports}n.m=e,n.c=t}([${Array.from({ length: 40 }, () => `"${r(LOWER, 6)}"`).join(',')}]);\n`);
  keep('src/crypto.test.ts', `// Test vector from RFC 4231 (not a credential).\nconst key = Buffer.from('0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b', 'hex');\nconst expected = '${r(HEX, 64)}';\n`);
  keep('src/session.py', `SESSION_COOKIE_NAME = "sessionid"\nPASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]\nAUTH_TOKEN_HEADER = "X-Auth-Token"\n`);
  keep('src/links.ts', `export const docs = 'https://example.com/docs?page=2&sort=asc';\nexport const mail = 'mailto:dev@example.com';\nexport const ws = 'wss://example.com:8443/socket';\n`);
  keep('README.md', `# Service\n\nSet \`API_KEY\` in your environment. Connection strings look like \`postgres://USER:PASSWORD@HOST/DB\`.\n`);
  keep('src/base64.ts', `export const sample = '${r(B64, 200)}';\nexport const sum = '${r(HEX, 64)}';\n`);
  keep('src/keyboard.ts', `export const keyMap = { enter: 13, escape: 27 };\nexport const keyCodeToName = new Map([[13, 'enter']]);\nexport function keyOf(e: KeyboardEvent) { return e.key; }\n`);
  keep('src/jwt-doc.ts', `// A JWT has three dot-separated parts: header.payload.signature\nexport const parts = token.split('.');\n`);
  keep('Dockerfile', `FROM node:20\nARG NPM_TOKEN\nRUN echo "//registry.npmjs.org/:_authToken=\${NPM_TOKEN}" > .npmrc\n`);
  keep('.github/workflows/ci.yml', `jobs:\n  build:\n    steps:\n      - uses: actions/checkout@v4\n        with:\n          token: \${{ secrets.GITHUB_TOKEN }}\n`);
  keep('src/uuid-test.ts', `const ids = [${Array.from({ length: 5 }, () => `'${uuid()}'`).join(', ')}];\n`);
  keep('src/env.ts', `export const environment = { production: false, apiUrl: 'http://localhost:3000' };\n`);
  keep('src/monkey.ts', `export const keys = ['monkey', 'donkey'];\n`);
  keep('src/token-stream.ts', `export class TokenStream { next() { return this.tokens[this.position++]; } }\n`);
  keep('.yarnrc.yml', `nodeLinker: node-modules\nnpmRegistryServer: "https://registry.yarnpkg.com"\n`);
  return { secrets, ordinary, files };
}
