// Size budget: min+gzip (and min+brotli) of what a page downloads before the button works.
// Each build is re-bundled by esbuild (lit external, code splitting kept) and minified; the
// entry and every chunk it imports statically are compressed together (gzip -9, brotli 11).
// Chunks the entry loads with import() are shown on lines of their own: the settings checks
// (fetched beside checkout.js, before the first render) and the APB code (only for mode="apb").
// Exits 1 when a file is over its budget. Needs `npm run build` first (`npm run size` does both).
import { gzipSync, brotliCompressSync, constants } from 'node:zlib';
import { buildSync } from 'esbuild';

/** [label, entry, min+gzip budget in bytes (1 kB = 1000 B)] */
export const BUDGETS = [
  ['<amazon-pay-v2> ES build (lit external)', 'dist/amazon-pay-v2.js', 3200],
  ['confirm helpers ES build (lit external)', 'dist/confirm.js', 3500],
  ['IIFE (lit inside)', 'dist/amazon-pay-v2.iife.js', 10000],
];

const compress = (bytes) => ({
  min: bytes.length,
  gzip: gzipSync(bytes, { level: 9 }).length,
  brotli: brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
});

/**
 * Sizes of `entry` bundled by esbuild: what it imports statically (`eager`, compressed together,
 * as an app's bundler would put it in one file) and each import() chunk (`lazy`, one request each).
 */
export function measure(entry, { external = ['lit', 'lit/*', '@lit/*'], tsconfig } = {}) {
  const { outputFiles, metafile } = buildSync({
    entryPoints: [entry],
    bundle: true,
    splitting: true,
    outdir: 'out',
    write: false,
    metafile: true,
    minify: true,
    format: 'esm',
    target: 'es2022',
    charset: 'utf8',
    legalComments: 'none',
    external,
    tsconfig,
    logLevel: 'error',
  });
  const bytes = new Map(outputFiles.map((f) => [f.path.slice(f.path.lastIndexOf('out/')), f.contents]));
  const entryOut = Object.keys(metafile.outputs).find((o) => metafile.outputs[o].entryPoint);
  const eager = new Set();
  const visit = (out) => {
    if (eager.has(out)) return;
    eager.add(out);
    for (const i of metafile.outputs[out].imports) if (i.kind == 'import-statement' && !i.external) visit(i.path);
  };
  visit(entryOut);
  const lazy = [...bytes].filter(([out]) => !eager.has(out) && out.endsWith('.js'));
  return {
    ...compress(Buffer.concat([...eager].map((out) => bytes.get(out)))),
    lazy: lazy.map(([out, b]) => ({
      name: out
        .split('/')
        .pop()
        .replace(/-[\w-]{8}-[A-Z0-9]{8}\.js$/, ''),
      ...compress(b),
    })),
  };
}

const kB = (n) => (n / 1000).toFixed(2) + ' kB';
const row = (label, m, budgetText) =>
  console.log(label.padEnd(44), kB(m.min).padStart(9), kB(m.gzip).padStart(9), kB(m.brotli).padStart(9), budgetText.padStart(12));

if (import.meta.url == `file://${process.argv[1]}`) {
  let over = 0;
  console.log('build'.padEnd(44), 'min'.padStart(9), 'min+gzip'.padStart(9), 'min+br'.padStart(9), 'budget'.padStart(12));
  for (const [label, file, budget] of BUDGETS) {
    const m = measure(file);
    const ok = m.gzip <= budget;
    if (!ok) over++;
    row(label, m, `${ok ? '≤' : 'OVER'} ${kB(budget)}`);
    for (const chunk of m.lazy) row(`  + import() chunk: ${chunk.name}`, chunk, '');
  }
  if (over) {
    console.error(`\n${over} build(s) over the min+gzip budget`);
    process.exit(1);
  }
}
