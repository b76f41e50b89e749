import { readFileSync } from 'node:fs';
import { defineConfig, type Plugin } from 'vite';

// Three builds from one config (`external` applies to a whole build, so one run per kind):
//   vite build              dist/amazon-pay-v2.js, dist/confirm.js  ES modules, Lit left as an import
//   vite build --mode iife  dist/amazon-pay-v2.iife.js              one file with Lit inside, for <script src>
//   vite build --mode node  dist/node/server.js, dist/node/sandbox.js   for Node (server module, sandbox)
export default defineConfig(({ mode }) => {
  if (mode === 'node') {
    return {
      // An SSR build leaves every dependency external by default: bundle them (see `external` below).
      ssr: { noExternal: true },
      build: {
        ssr: true,
        outDir: 'dist/node',
        emptyOutDir: true,
        target: 'node20',
        sourcemap: true,
        minify: false,
        rolldownOptions: {
          input: { server: 'src/server/index.ts', sandbox: 'src/sandbox/index.ts', cli: 'src/cli/index.ts' },
          // Hono, its Node adapter and iconv-lite are bundled, so that `npm install amazon-pay-v2` stays
          // small for a browser-only shop. The databases are optional peers, loaded when a store opens.
          external: [/^node:/, /^@electric-sql\/pglite(\/.*)?$/, /^pg(\/.*)?$/, /^prom-client$/, /^@opentelemetry\/api$/],
          output: {
            format: 'es',
            entryFileNames: '[name].js',
            chunkFileNames: '[name]-[hash].js', // beside the entries: the sandbox finds amazon/checkout.js from its own URL
            banner: (chunk) => (chunk.name == 'cli' ? '#!/usr/bin/env node' : ''), // the package's bin
          },
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
          : {
              'amazon-pay-v2': 'src/index.ts',
              confirm: 'src/confirm.ts',
              react: 'src/react.ts',
              jsx: 'src/jsx.ts',
              vue: 'src/vue.ts',
              preact: 'src/preact.ts',
              solid: 'src/solid.ts',
            }) as Record<string, string>,
        name: 'AmazonPayV2',
        formats: iife ? ['iife'] : ['es'],
        fileName: (format, name) => (format === 'es' ? `${name}.js` : `${name}.${format}.js`),
      },
      minify: iife ? 'oxc' : false, // the ES build stays readable; users' bundlers minify it
      rolldownOptions: {
        // Lit stays external (the one runtime dependency); @lit/react is bundled into react.js.
        external: iife
          ? []
          : [/^lit(\/.*)?$/, /^@lit\/reactive-element(\/.*)?$/, /^@lit-labs\//, /^lit-html(\/.*)?$/, /^lit-element(\/.*)?$/, /^react(\/.*)?$/, /^vue$/],
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
