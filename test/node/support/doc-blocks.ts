// The fenced code blocks of the README and of docs/*.md, as users copy them: tests read them at
// test time, so that editing a document changes what runs.
import { readFileSync, readdirSync } from 'node:fs';

export interface DocBlock {
  file: string;
  lang: string;
  code: string;
  line: number;
}

/** The fenced blocks of `file` (a path from the repository's root), in order. */
export function docBlocks(file: string): DocBlock[] {
  const blocks: DocBlock[] = [];
  const lines = readFileSync(file, 'utf8').split('\n');
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)```(\w+)$/.exec(lines[i]);
    if (!open) continue;
    const indent = open[1].length;
    const start = i;
    const body: string[] = [];
    for (i++; !/^\s*```$/.test(lines[i]); i++) body.push(lines[i].slice(indent));
    blocks.push({ file, lang: open[2], code: body.join('\n'), line: start + 1 });
  }
  return blocks;
}

/** Every document whose blocks the tests run: README.md, README.en.md (when there) and docs/*.md. */
export function documents(): string[] {
  const docs = readdirSync('docs')
    .filter((f) => f.endsWith('.md'))
    .sort()
    .map((f) => `docs/${f}`);
  return ['README.md', ...readdirSync('.').filter((f) => f === 'README.en.md'), ...docs];
}

/** The one block of `file` in `lang` whose code matches `pattern` (fails unless exactly one does). */
export function docBlock(file: string, lang: string, pattern: RegExp): string {
  const found = docBlocks(file).filter((b) => b.lang === lang && pattern.test(b.code));
  if (found.length !== 1) throw new Error(`${file}: expected one ${lang} block matching ${pattern}, found ${found.length}`);
  return found[0].code;
}
