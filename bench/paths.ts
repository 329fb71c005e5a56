// Where the benchmark finds the repository: the bundle runs from out/bench/, the sources live
// in bench/; both are two levels below the root, which holds package.json.
import { existsSync } from 'node:fs';
import * as path from 'node:path';

export function repoRoot(): string {
  let dir = __dirname;
  for (let i = 0; i < 6; i++) {
    if (existsSync(path.join(dir, 'package.json')) && existsSync(path.join(dir, 'sample-workspace'))) return dir;
    dir = path.dirname(dir);
  }
  return process.cwd();
}
