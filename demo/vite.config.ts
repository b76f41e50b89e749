import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// The demo's pages; demo/server.ts runs this config in middleware mode, beside the merchant
// endpoint and the sandbox, in one process.
const at = (path: string) => fileURLToPath(new URL(path, import.meta.url));

// Vite serves files of the allowed folders to any page that asks (/@fs/…): only what the pages
// need, and never the data folder (orders with their AccessPass, the sandbox's state, the journal).
export default defineConfig({
  root: at('.'),
  server: {
    fs: {
      strict: true,
      allow: [at('.'), at('../src'), at('../dist'), at('../node_modules')],
      deny: ['.env', '.env.*', '*.{crt,pem}', '**/.git/**', '**/.data/**'],
    },
  },
});
