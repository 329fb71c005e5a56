// .gitignore rules as git reads them (gitignore(5)), enough to leave ignored files out of a
// training corpus: blank lines and `#` comments, `!` negation, `\` escapes, a leading or inner
// `/` anchoring a pattern to its .gitignore's folder, a trailing `/` matching folders only, `*`,
// `?`, `[...]` classes and `**`. A file inside an ignored folder stays ignored (git does not
// descend into it, so a later `!` cannot bring it back). No vscode, no DOM, no Node.

interface Rule {
  readonly regex: RegExp;
  readonly negated: boolean;
  readonly directoryOnly: boolean;
}

/** The rules of one .gitignore file, which apply to paths under `base` ('' for the root). */
export interface IgnoreFile {
  /** '/'-separated folder of the .gitignore, relative to the root; '' for the root. */
  readonly base: string;
  readonly rules: readonly Rule[];
}

export function parseGitignore(base: string, content: string): IgnoreFile {
  const rules: Rule[] = [];
  for (const raw of content.split(/\r?\n/)) {
    let line = raw;
    // Trailing spaces are ignored unless escaped.
    line = line.replace(/(?<!\\)\s+$/, '');
    if (line === '' || line.startsWith('#')) continue;
    let negated = false;
    if (line.startsWith('!')) {
      negated = true;
      line = line.slice(1);
    } else if (line.startsWith('\\!') || line.startsWith('\\#')) {
      line = line.slice(1);
    }
    let directoryOnly = false;
    if (line.endsWith('/') && !line.endsWith('\\/')) {
      directoryOnly = true;
      line = line.slice(0, -1);
    }
    if (line === '') continue;
    // A slash at the start or in the middle anchors the pattern to the .gitignore's folder.
    const anchored = line.includes('/');
    if (line.startsWith('/')) line = line.slice(1);
    const body = globToRegex(line);
    const regex = new RegExp(anchored ? `^${body}$` : `^(?:.*/)?${body}$`);
    rules.push({ regex, negated, directoryOnly });
  }
  return { base: base.replace(/^\/+|\/+$/g, ''), rules };
}

function globToRegex(glob: string): string {
  let out = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '\\' && i + 1 < glob.length) {
      out += escapeRegex(glob[++i]);
    } else if (c === '*') {
      if (glob[i + 1] === '*') {
        const atStart = i === 0 || glob[i - 1] === '/';
        const atEnd = i + 2 === glob.length || glob[i + 2] === '/';
        if (atStart && atEnd) {
          i++;
          if (glob[i + 1] === '/') {
            i++;
            out += '(?:.*/)?'; // "**/" : zero or more folders
          } else {
            out += '.*'; // trailing "/**": everything inside
          }
          continue;
        }
      }
      out += '[^/]*';
    } else if (c === '?') {
      out += '[^/]';
    } else if (c === '[') {
      const close = glob.indexOf(']', i + 2);
      if (close === -1) {
        out += '\\[';
      } else {
        let cls = glob.slice(i + 1, close);
        if (cls.startsWith('!')) cls = `^${cls.slice(1)}`;
        out += `[${cls.replace(/\\/g, '\\\\')}]`;
        i = close;
      }
    } else {
      out += escapeRegex(c);
    }
  }
  return out;
}

function escapeRegex(c: string): string {
  return /[.*+?^${}()|[\]\\/]/.test(c) ? `\\${c}` : c;
}

/** The verdict of one file's rules for `relative` (a path below its base): true/false, or null when no rule matched. */
function verdict(file: IgnoreFile, relative: string, isDirectory: boolean): boolean | null {
  let result: boolean | null = null;
  for (const rule of file.rules) {
    if (rule.directoryOnly && !isDirectory) continue;
    if (rule.regex.test(relative)) result = !rule.negated;
  }
  return result;
}

/**
 * All .gitignore files of one root (a workspace folder). `isIgnored(path)` takes a
 * '/'-separated path relative to that root.
 */
export class GitignoreMatcher {
  private readonly files: IgnoreFile[];

  constructor(files: readonly IgnoreFile[]) {
    // Shallow first, so deeper files override their ancestors.
    this.files = [...files].sort((a, b) => depth(a.base) - depth(b.base));
  }

  get isEmpty(): boolean {
    return this.files.every((f) => f.rules.length === 0);
  }

  isIgnored(path: string): boolean {
    const parts = path.split('/').filter((p) => p !== '');
    // Any ignored ancestor folder hides everything below it.
    for (let n = 1; n <= parts.length; n++) {
      const sub = parts.slice(0, n).join('/');
      if (this.decide(sub, n < parts.length)) return true;
    }
    return false;
  }

  private decide(path: string, isDirectory: boolean): boolean {
    let ignored = false;
    for (const file of this.files) {
      if (file.base !== '' && !path.startsWith(`${file.base}/`)) continue;
      const relative = file.base === '' ? path : path.slice(file.base.length + 1);
      const v = verdict(file, relative, isDirectory);
      if (v !== null) ignored = v;
    }
    return ignored;
  }
}

function depth(base: string): number {
  return base === '' ? 0 : base.split('/').length;
}
