import { defineConfig } from 'vite';

// `vite build` makes the library builds, `vite build --mode iife` the script-tag build:
//   dist/amazon-pay-v2.js       ES module, lit left as an import (npm users bundle it once)
//   dist/amazon-pay-v2.iife.js  one self-contained file with lit inside (a plain <script src>)
// Two runs because `external` applies to a whole build, not to one output format.
export default defineConfig(({ mode }) => {
  const iife = mode === 'iife';
  return {
    build: {
      emptyOutDir: !iife, // the second (IIFE) run must keep the ES build
      sourcemap: true,
      target: 'es2022',
      lib: {
        // npm: the element and the confirm-page helpers are separate entries sharing chunks;
        // script tag: both in one file.
        entry: (iife ? { 'amazon-pay-v2': 'src/iife.ts' } : { 'amazon-pay-v2': 'src/index.ts', confirm: 'src/confirm.ts' }) as Record<string, string>,
        name: 'AmazonPayV2',
        formats: iife ? ['iife'] : ['es'],
        fileName: (format, name) => (format === 'es' ? `${name}.js` : `${name}.${format}.js`),
      },
      minify: iife ? 'oxc' : false, // the ES build stays readable; users' bundlers minify it
      rolldownOptions: {
        external: iife ? [] : [/^lit(\/.*)?$/, /^@lit\//, /^lit-html(\/.*)?$/, /^lit-element(\/.*)?$/],
      },
    },
  };
});
