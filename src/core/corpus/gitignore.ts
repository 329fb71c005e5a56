// .gitignore rules as git applies them, for leaving ignored files out of a corpus. Pattern
// semantics come from the `ignore` package (it follows gitignore(5) and git's wildmatch, tested
// here against `git check-ignore`); this file adds what one package instance does not know: the
// nesting of .gitignore files (a deeper file overrides its ancestors, rules are relative to
// their own folder) and git's rule that nothing inside an ignored folder can be re-included.
// A line git cannot use matches nothing; the rest of its file still applies.
import ignore, { type Ignore } from 'ignore';

interface IgnoreFile {
  /** '/'-separated folder of the .gitignore relative to the root; '' for the root. */
  readonly base: string;
  readonly rules: Ignore;
}

/** All .gitignore files of one root (a workspace folder, a CLI corpus folder). */
export class GitignoreMatcher {
  private files: IgnoreFile[] = [];

  /** Adds the .gitignore found in folder `base` ('' for the root). */
  add(base: string, content: string): this {
    const rules = ignore();
    // Line by line: a pattern the package refuses costs that line only, as in git.
    for (const line of content.split(/\r?\n/)) {
      try {
        rules.add(line);
      } catch {
        // matches nothing
      }
    }
    this.files.push({ base: base.replace(/^\/+|\/+$/g, ''), rules });
    // Shallow first, so deeper files override their ancestors.
    this.files.sort((a, b) => depth(a.base) - depth(b.base));
    return this;
  }

  get isEmpty(): boolean {
    return this.files.length === 0;
  }

  /** Whether git would ignore `path` ('/'-separated, relative to the root). */
  isIgnored(path: string, isDirectory = false): boolean {
    const parts = path.split('/').filter((p) => p !== '');
    // An ignored ancestor folder hides everything below it.
    for (let n = 1; n <= parts.length; n++) {
      if (this.decide(parts.slice(0, n).join('/'), n < parts.length || isDirectory)) return true;
    }
    return false;
  }

  private decide(path: string, isDirectory: boolean): boolean {
    let ignored = false;
    for (const file of this.files) {
      if (file.base !== '' && !path.startsWith(`${file.base}/`)) continue;
      const relative = (file.base === '' ? path : path.slice(file.base.length + 1)) + (isDirectory ? '/' : '');
      const result = file.rules.test(relative);
      if (result.ignored) ignored = true;
      else if (result.unignored) ignored = false;
    }
    return ignored;
  }
}

function depth(base: string): number {
  return base === '' ? 0 : base.split('/').length;
}
