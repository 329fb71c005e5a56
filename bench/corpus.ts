// The benchmark corpus: the source files of sample-workspace/ (MIT JavaScript and TypeScript,
// see its ATTRIBUTION.md), one document per file, in a stable order.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';

export interface SourceFile {
  /** Path relative to the corpus root, '/' separated. */
  readonly name: string;
  readonly text: string;
}

const SOURCE_EXTENSIONS = ['.js', '.ts', '.mjs', '.cjs'];

/** Every .js/.ts file under `root`, sorted by path. */
export function loadSourceFiles(root: string): SourceFile[] {
  const out: SourceFile[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir).sort()) {
      const abs = path.join(dir, entry);
      if (statSync(abs).isDirectory()) walk(abs);
      else if (SOURCE_EXTENSIONS.some((ext) => entry.endsWith(ext))) {
        out.push({ name: path.relative(root, abs).split(path.sep).join('/'), text: readFileSync(abs, 'utf8') });
      }
    }
  };
  walk(root);
  if (out.length === 0) throw new Error(`no source files under ${root}`);
  return out;
}
