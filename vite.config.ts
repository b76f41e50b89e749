import { readFileSync } from 'node:fs';
import { defineConfig, type Plugin } from 'vite';

// Three builds from one config (`external` applies to a whole build, so one run per kind):
//   vite build              dist/amazon-pay-v2.js, dist/confirm.js  ES modules, Lit left as an import
//   vite build --mode iife  dist/amazon-pay-v2.iife.js              one file with Lit inside, for <script src>
//   vite build --mode node  dist/node/server.js, dist/node/sandbox.js   for Node (server module, sandbox)
export default defineConfig(({ mode }) => {
  if (mode === 'node') {
    return {
      build: {
        ssr: true,
        outDir: 'dist/node',
        emptyOutDir: true,
        target: 'node20',
        sourcemap: true,
        minify: false,
        rolldownOptions: {
          input: { server: 'src/server/index.ts', sandbox: 'src/sandbox/index.ts' },
          external: [/^node:/, /^hono(\/.*)?$/, /^@hono\//, 'iconv-lite'], // installed with the package
          output: { format: 'es', entryFileNames: '[name].js', chunkFileNames: 'chunks/[name]-[hash].js' },
        },
      },
      plugins: [copyCheckoutJsStandIn()],
    };
  }
  const iife = mode === 'iife';
  return {
    build: {
      emptyOutDir: !iife, // the second (IIFE) run must keep the ES build
      sourcemap: true,
      target: 'es2022',
      lib: {
        // npm: the element and the confirm-page helpers are separate entries sharing chunks;
        // script tag: both in one file.
        entry: (iife
          ? { 'amazon-pay-v2': 'src/iife.ts' }
          : { 'amazon-pay-v2': 'src/index.ts', confirm: 'src/confirm.ts', react: 'src/react.ts', jsx: 'src/jsx.ts', vue: 'src/vue.ts' }) as Record<string, string>,
        name: 'AmazonPayV2',
        formats: iife ? ['iife'] : ['es'],
        fileName: (format, name) => (format === 'es' ? `${name}.js` : `${name}.${format}.js`),
      },
      minify: iife ? 'oxc' : false, // the ES build stays readable; users' bundlers minify it
      rolldownOptions: {
        external: iife ? [] : [/^lit(\/.*)?$/, /^@lit\//, /^lit-html(\/.*)?$/, /^lit-element(\/.*)?$/, /^react(\/.*)?$/, /^vue$/],
        // The script-tag build runs only where there is a window: imported in Node (SSR, tools) it does nothing.
        output: iife ? { banner: "if (typeof window !== 'undefined') {", footer: '}' } : {},
      },
    },
  };
});

/** The sandbox serves the checkout.js stand-in from beside its own module. */
function copyCheckoutJsStandIn(): Plugin {
  return {
    name: 'copy-checkout-js-stand-in',
    generateBundle() {
      this.emitFile({ type: 'asset', fileName: 'amazon/checkout.js', source: readFileSync('src/sandbox/amazon/checkout.js', 'utf8') });
    },
  };
}
