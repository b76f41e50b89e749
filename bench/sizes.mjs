// Benchmark 1, size: our builds next to the alternatives, all measured one way: bundled by
// esbuild from the package's own entry, minified, then gzip -9 and brotli 11.
// Ratios are the result; the targets are printed beside them.
import { measure } from './size.mjs';

/** [label, entry, externals]: each from its package's own entry (ours from source). */
const SUBJECTS = [
  ['amazon-pay-v2 element (ES, eager)', 'src/index.ts', ['lit', 'lit/*', '@lit/*']],
  ['amazon-pay-v2 loader alone', 'src/browser/checkout-loader.ts', []],
  ['amazon-pay-v2 IIFE (Lit inside, all; the built file)', 'dist/amazon-pay-v2.iife.js', []],
  ['@google-pay/button-element', '@google-pay/button-element', []],
  ['@paypal/paypal-js loader', '@paypal/paypal-js', []],
  ['@stripe/stripe-js/pure loader', '@stripe/stripe-js/pure', []],
  ['lit', 'lit', []],
];

export function sizeBenchmark() {
  // The eager part only: our element's settings and APB chunks load later (see npm run size).
  const rows = SUBJECTS.map(([label, entry, external]) => ({ label, ...measure(entry, { external, tsconfig: 'tsconfig.json' }) }));
  const by = (label) => rows.find((r) => r.label === label);
  const kB = (n) => (n / 1000).toFixed(2);
  console.log('\n## 1. Size (esbuild-minified; kB = 1000 B)\n');
  console.log('| build | min | min+gzip | min+brotli | gzip vs ours (element) |');
  console.log('|---|---:|---:|---:|---:|');
  const ours = by('amazon-pay-v2 element (ES, eager)').gzip;
  for (const r of rows) console.log(`| ${r.label} | ${kB(r.min)} | ${kB(r.gzip)} | ${kB(r.brotli)} | ${(r.gzip / ours).toFixed(2)}× |`);
  const loader = by('amazon-pay-v2 loader alone').gzip;
  const checks = [
    ['element ≤ 3.2 kB min+gzip', ours <= 3200],
    ['loader smaller than paypal-js loader', loader < by('@paypal/paypal-js loader').gzip],
    ['loader smaller than stripe-js pure loader', loader < by('@stripe/stripe-js/pure loader').gzip],
  ];
  console.log('');
  for (const [what, ok] of checks) console.log(`- ${ok ? 'met' : 'MISSED'}: ${what}`);
  return { rows, checks };
}

if (import.meta.url === `file://${process.argv[1]}`) sizeBenchmark();
