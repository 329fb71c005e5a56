// Which language a corpus file is in, by its name, for the corpus summary ("JavaScript 81%").

const BY_EXTENSION: Readonly<Record<string, string>> = {
  js: 'JavaScript', mjs: 'JavaScript', cjs: 'JavaScript', jsx: 'JavaScript',
  ts: 'TypeScript', mts: 'TypeScript', cts: 'TypeScript', tsx: 'TypeScript',
  py: 'Python', pyi: 'Python', rb: 'Ruby', go: 'Go', rs: 'Rust', java: 'Java', kt: 'Kotlin', kts: 'Kotlin',
  scala: 'Scala', swift: 'Swift', c: 'C', h: 'C', cc: 'C++', cpp: 'C++', cxx: 'C++', hpp: 'C++', hh: 'C++',
  cs: 'C#', fs: 'F#', php: 'PHP', pl: 'Perl', lua: 'Lua', r: 'R', jl: 'Julia', dart: 'Dart', ex: 'Elixir',
  exs: 'Elixir', erl: 'Erlang', hs: 'Haskell', ml: 'OCaml', clj: 'Clojure', sh: 'Shell', bash: 'Shell',
  zsh: 'Shell', ps1: 'PowerShell', sql: 'SQL', html: 'HTML', htm: 'HTML', css: 'CSS', scss: 'SCSS',
  less: 'Less', vue: 'Vue', svelte: 'Svelte', json: 'JSON', jsonc: 'JSON', yaml: 'YAML', yml: 'YAML',
  toml: 'TOML', xml: 'XML', md: 'Markdown', markdown: 'Markdown', rst: 'reStructuredText', txt: 'Plain text',
  tex: 'LaTeX', ini: 'INI', cfg: 'INI', gradle: 'Gradle', dockerfile: 'Dockerfile', makefile: 'Makefile',
};

const BY_NAME: Readonly<Record<string, string>> = {
  dockerfile: 'Dockerfile', makefile: 'Makefile', gnumakefile: 'Makefile', license: 'Plain text', readme: 'Plain text',
};

/** "JavaScript" for "src/a.js"; the upper-cased extension for unknown ones; "Other" without one. */
export function languageOf(path: string): string {
  const name = path.slice(path.lastIndexOf('/') + 1).toLowerCase();
  const byName = BY_NAME[name];
  if (byName) return byName;
  const dot = name.lastIndexOf('.');
  if (dot <= 0 || dot === name.length - 1) return 'Other';
  const ext = name.slice(dot + 1);
  return BY_EXTENSION[ext] ?? ext.toUpperCase();
}

export interface LanguageShare {
  readonly language: string;
  readonly characters: number;
}

/** Characters per language, largest first (ties by name). */
export function languageShares(files: ReadonlyArray<{ readonly path: string; readonly characters: number }>): LanguageShare[] {
  const totals = new Map<string, number>();
  for (const f of files) {
    const language = languageOf(f.path);
    totals.set(language, (totals.get(language) ?? 0) + f.characters);
  }
  return [...totals.entries()]
    .map(([language, characters]) => ({ language, characters }))
    .sort((a, b) => b.characters - a.characters || (a.language < b.language ? -1 : 1));
}
