/**
 * `npm run demo`: one process on PORT (default 5173): the Vite dev server for the pages, the
 * merchant endpoint at /api/amazon-pay/, and the sandbox (GMO-PG and Amazon stand-ins) beside it.
 * Orders live in PGlite under .data/demo, so a restart keeps them.
 * With GMO_PG_SHOP_ID, GMO_PG_SHOP_PASS, GMO_PG_BASE_URL and the AMAZON_PAY_* values set, it talks
 * to GMO-PG's test environment and Amazon's sandbox instead (see the README).
 */
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { getRequestListener } from '@hono/node-server';
import { Hono } from 'hono';
import { build, createServer as createVite } from 'vite';
import { createSandbox, type Sandbox } from '../src/sandbox/index.js';
import { createAmazonPayHandler, createGmoPgClient, openOrderStore, type AmazonPayHandler } from '../src/server/index.js';
import {
  Carts,
  contentSecurityPolicy,
  DEMO_HOSTS,
  demoRoutes,
  environmentButtons,
  knownHost,
  newSandboxKeys,
  resolveDemoOrder,
  sandboxButtons,
} from './shop.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const FONT_DIR = dirname(createRequire(import.meta.url).resolve('@fontsource-variable/noto-sans-jp'));
let fonts: string | undefined;
/** The font package's stylesheet, its files served from /demo/fonts/. */
const fontsCss = () => (fonts ??= readFileSync(join(FONT_DIR, 'index.css'), 'utf8').replaceAll('url(./files/', 'url(/demo/fonts/'));
const PAGES = ['index.html', 'confirm.html', 'complete.html', 'orders.html', 'script-tag.html', 'script-tag.js', 'demo.ts', 'shop.ts', 'server.ts'];

export interface Demo {
  url: string;
  server: Server;
  handler: AmazonPayHandler;
  sandbox?: Sandbox;
  stop(): Promise<void>;
}

export async function startDemo(options: { port?: number; dataDir?: string; quiet?: boolean } = {}): Promise<Demo> {
  const env = process.env;
  const real = Boolean(env.GMO_PG_SHOP_ID && env.GMO_PG_SHOP_PASS && env.GMO_PG_BASE_URL);
  const dataDir = options.dataDir ?? `${root}.data/demo`;
  const port = options.port ?? Number(env.PORT ?? 5173);
  const log = options.quiet ? { info() {}, warn() {}, error() {} } : undefined;

  // The script-tag page needs the IIFE build.
  if (!existsSync(`${root}dist/amazon-pay-v2.iife.js`)) {
    await build({ configFile: `${root}vite.config.ts`, root, mode: 'iife', logLevel: 'warn' });
  }

  const keys = real ? undefined : newSandboxKeys();
  // First, so that a missing variable stops the start before anything is opened.
  const buttons = real ? environmentButtons(env) : sandboxButtons(keys!.privateKey);
  const sandbox = real
    ? undefined
    : createSandbox({
        stateFile: `${dataDir}/sandbox.json`,
        notifyUrl: `http://127.0.0.1:${port}/api/amazon-pay/notify`,
        amazonPublicKeyPem: keys!.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
        stylesheets: ['/demo/fonts.css'],
      });
  const gmo = real
    ? createGmoPgClient()
    : createGmoPgClient({ shopId: sandbox!.shopId, shopPass: sandbox!.shopPass, baseUrl: `http://127.0.0.1:${port}/payment/` });
  const carts = new Carts();
  const handler = await createAmazonPayHandler({
    gmo,
    store: await openOrderStore({ dataDir: `${dataDir}/orders`, logger: log }),
    resolveOrder: resolveDemoOrder(carts),
    completionUrl: '/complete.html',
    // The demo listens on 127.0.0.1 only; a page of another site that resolves its own name to
    // 127.0.0.1 (DNS rebinding) sends its own Host, which is refused.
    allowedHosts: DEMO_HOSTS,
    logger: log,
  });

  const app = new Hono();
  app.route('/api/amazon-pay', handler.app as Hono); // a Hono app at run time; typed structurally for shops without hono
  app.route('/demo', demoRoutes(handler, carts, buttons, real ? 'gmo-pg-test' : 'sandbox'));
  app.get('/demo/source/:file', (c) => {
    const file = c.req.param('file');
    if (!PAGES.includes(file)) return c.text('not a demo page', 404);
    return c.text(readFileSync(`${root}demo/${file}`, 'utf8'));
  });
  // Noto Sans JP from npm (@fontsource-variable/noto-sans-jp), so that every machine draws the
  // pages (and the screenshots) with the same Japanese glyphs, whatever fonts it has.
  app.get('/demo/fonts.css', (c) => c.body(fontsCss(), 200, { 'content-type': 'text/css; charset=utf-8', 'cache-control': 'max-age=3600' }));
  app.get('/demo/fonts/:file', (c) => {
    const file = c.req.param('file');
    if (!/^noto-sans-jp-[a-z0-9-]+-wght-normal\.woff2$/.test(file)) return c.text('not found', 404); // the package's subsets: 0…119, latin, latin-ext, …
    return c.body(readFileSync(join(FONT_DIR, 'files', file)), 200, { 'content-type': 'font/woff2', 'cache-control': 'max-age=86400' });
  });
  app.get('/dist/:file', (c) => {
    const file = c.req.param('file');
    if (!/^amazon-pay-v2\.iife\.js(\.map)?$/.test(file)) return c.text('not found', 404);
    return c.body(readFileSync(`${root}dist/${file}`), 200, { 'content-type': 'text/javascript; charset=utf-8' });
  });
  if (sandbox) app.route('/', sandbox.app as Hono);
  const ours = /^\/(api\/amazon-pay|demo|dist|payment|amazon|__sandbox)\//;
  const api = getRequestListener(app.fetch);

  let vite: Awaited<ReturnType<typeof createVite>> | undefined;
  const csp = contentSecurityPolicy(real ? 'gmo-pg-test' : 'sandbox');
  const server = createServer((req, res) => {
    if (!knownHost(req.headers.host)) {
      res.writeHead(421, { 'content-type': 'text/plain; charset=utf-8' }).end(`the demo answers on ${DEMO_HOSTS.join(', ')} only\n`);
      return;
    }
    if (ours.test(req.url ?? '')) return void api(req, res);
    // The pages: a strict Content-Security-Policy (scripts from this origin only), and Vite, which
    // serves only the demo, src, dist and node_modules folders (never .data: see demo/vite.config.ts).
    res.setHeader('content-security-policy', csp(req.headers.host!));
    vite!.middlewares(req, res);
  });
  // Vite's live reload shares the port, so that its client in the pages can connect.
  vite = await createVite({
    configFile: `${root}demo/vite.config.ts`,
    server: { middlewareMode: true, ws: { server } },
    appType: 'mpa',
    logLevel: options.quiet ? 'silent' : 'info',
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  return {
    url,
    server,
    handler,
    sandbox,
    async stop() {
      await vite.close(); // first: it closes the live-reload sockets, which closeAllConnections does not see
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      sandbox?.close();
      await handler.close();
    },
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const real = Boolean(process.env.GMO_PG_SHOP_ID && process.env.GMO_PG_SHOP_PASS && process.env.GMO_PG_BASE_URL);
  startDemo().then(
    (demo) => {
      console.log(`\n  amazon-pay-v2 demo: ${demo.url}`);
      console.log(
        `  ${real ? `GMO-PG test environment (${process.env.GMO_PG_BASE_URL}) and Amazon's sandbox` : 'built-in sandbox: no credentials, no network'}`,
      );
      console.log(`  orders page: ${demo.url}orders.html   script-tag page: ${demo.url}script-tag.html\n`);
      const stop = () => demo.stop().then(() => process.exit(0));
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    },
    (error) => {
      console.error(`demo could not start: ${(error as Error).message}`);
      process.exit(1);
    },
  );
}
