// Benchmark 1, size: our builds next to the alternatives, all measured one way: bundled by
// esbuild from the package's own entry, minified, then gzip -9 and brotli 11.
// Ratios are the result; the targets are printed beside them.
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { buildSync } from 'esbuild';

/** [label, entry, externals] */
const SUBJECTS = [
  ['amazon-pay-v2 element (ES, eager)', 'src/index.ts', ['lit', 'lit/*', '@lit/*'], true],
  ['amazon-pay-v2 loader alone', 'src/browser/checkout-loader.ts', [], false],
  ['amazon-pay-v2 IIFE (Lit inside, all)', 'src/iife.ts', [], false],
  ['@google-pay/button-element', '@google-pay/button-element', [], false],
  ['@paypal/paypal-js loader', '@paypal/paypal-js', [], false],
  ['@stripe/stripe-js/pure loader', '@stripe/stripe-js/pure', [], false],
  ['lit', 'lit', [], false],
];

function measure(entry, external, split) {
  const { outputFiles, metafile } = buildSync({
    entryPoints: [entry], bundle: true, write: false, minify: true, format: 'esm', target: 'es2022',
    charset: 'utf8', legalComments: 'none', external, logLevel: 'error', metafile: true,
    splitting: split, outdir: 'out', tsconfig: 'tsconfig.json',
  });
  // Only the entry and what it imports statically: import() chunks load later.
  const entryOut = Object.keys(metafile.outputs).find((o) => metafile.outputs[o].entryPoint);
  const eager = new Set();
  const visit = (o) => {
    if (eager.has(o)) return;
    eager.add(o);
    for (const i of metafile.outputs[o].imports) if (i.kind === 'import-statement' && !i.external) visit(i.path);
  };
  visit(entryOut);
  const code = Buffer.concat(outputFiles.filter((f) => eager.has(f.path.slice(f.path.lastIndexOf('out/')))).map((f) => f.contents));
  return {
    min: code.length,
    gzip: gzipSync(code, { level: 9 }).length,
    brotli: brotliCompressSync(code, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
  };
}

export function sizeBenchmark() {
  const rows = SUBJECTS.map(([label, entry, external, split]) => ({ label, ...measure(entry, external, split) }));
  const by = (label) => rows.find((r) => r.label === label);
  const kB = (n) => (n / 1000).toFixed(2);
  console.log('\n## 1. Size (esbuild-minified; kB = 1000 B)\n');
  console.log('| build | min | min+gzip | min+brotli | gzip vs ours (element) |');
  console.log('|---|---:|---:|---:|---:|');
  const ours = by('amazon-pay-v2 element (ES, eager)').gzip;
  for (const r of rows) console.log(`| ${r.label} | ${kB(r.min)} | ${kB(r.gzip)} | ${kB(r.brotli)} | ${(r.gzip / ours).toFixed(2)}× |`);
  const loader = by('amazon-pay-v2 loader alone').gzip;
  const checks = [
    ['element ≤ 3.5 kB min+gzip', ours <= 3500],
    ['loader smaller than paypal-js loader', loader < by('@paypal/paypal-js loader').gzip],
    ['loader smaller than stripe-js pure loader', loader < by('@stripe/stripe-js/pure loader').gzip],
  ];
  console.log('');
  for (const [what, ok] of checks) console.log(`- ${ok ? 'met' : 'MISSED'}: ${what}`);
  return { rows, checks };
}

if (import.meta.url === `file://${process.argv[1]}`) sizeBenchmark();
