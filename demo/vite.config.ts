import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';

const standIn = fileURLToPath(new URL('../src/sandbox/amazon/checkout.js', import.meta.url));

/** Serves the checkout.js stand-in at /amazon/checkout.js, as the sandbox does. */
function sandboxPlugin(): Plugin {
  return {
    name: 'amazon-pay-v2-sandbox',
    configureServer(server) {
      server.middlewares.use('/amazon/checkout.js', (_req, res) => {
        res.setHeader('content-type', 'application/javascript; charset=utf-8');
        res.end(readFileSync(standIn));
      });
    },
  };
}

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  server: { port: Number(process.env.PORT ?? 5173), strictPort: true, host: '127.0.0.1' },
  plugins: [sandboxPlugin()],
});
