import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// The demo's pages; demo/server.ts runs this config in middleware mode, beside the merchant
// endpoint and the sandbox, in one process.
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  server: { fs: { allow: [fileURLToPath(new URL('..', import.meta.url))] } },
});
