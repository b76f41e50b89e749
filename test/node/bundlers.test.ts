// `import 'amazon-pay-v2'` in a production build, as npm users meet it: the packed tarball installed
// into a fixture app, a file holding only that line bundled by Vite 8 (Rolldown), Vite 7 (Rollup),
// esbuild and webpack in production mode (all tree-shake by package.json's `sideEffects`), and each
// bundle loaded in Chromium: the element must be defined and draw its button.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync, readdirSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import type { Browser } from 'playwright-core';
import { launchChromium } from './support/browser.js';
import { fixtureApp } from './support/packed.js';

const run = promisify(execFile);
const PACKAGES = ['vite@8.3.8', 'vite7@npm:vite@7.3.8', 'esbuild@0.27.7', 'webpack@5.113.0'];
const MAIN = "import 'amazon-pay-v2';\n"; // the README's browser line, alone

const ESBUILD = `
import { build } from 'esbuild';
await build({ entryPoints: ['main.js'], bundle: true, minify: true, format: 'esm', outfile: 'out-esbuild/main.js', logLevel: 'error' });
`;
const WEBPACK = `
const webpack = require('webpack');
webpack({ mode: 'production', entry: './main.js', output: { path: __dirname + '/out-webpack', filename: 'main.js' } }, (error, stats) => {
  if (error || stats.hasErrors()) { console.error(error || stats.toString('errors-only')); process.exit(1); }
});
`;

let dir: string;
let server: Server;
let origin: string;
let browser: Browser;

/** Each bundler's output: the folder the page is served from and the script it loads. */
const outputs: Record<string, { folder: string; script: string }> = {};

before(async () => {
  dir = await fixtureApp(
    { 'main.js': MAIN, 'index.html': '<!doctype html><script type="module" src="./main.js"></script>\n', 'esbuild.mjs': ESBUILD, 'webpack.cjs': WEBPACK },
    PACKAGES,
  );
  const node = (args: string[]) => run(process.execPath, args, { cwd: dir, maxBuffer: 16 * 1024 * 1024 });
  await node(['node_modules/vite/bin/vite.js', 'build', '--outDir', 'out-vite8', '--logLevel', 'error']);
  await node(['node_modules/vite7/bin/vite.js', 'build', '--outDir', 'out-vite7', '--logLevel', 'error']);
  await node(['esbuild.mjs']);
  await node(['webpack.cjs']);
  const viteScript = (folder: string) => '/assets/' + readdirSync(join(dir, folder, 'assets')).find((f) => f.endsWith('.js'))!;
  outputs['Vite 8'] = { folder: 'out-vite8', script: viteScript('out-vite8') };
  outputs['Vite 7'] = { folder: 'out-vite7', script: viteScript('out-vite7') };
  outputs.esbuild = { folder: 'out-esbuild', script: '/main.js' };
  outputs.webpack = { folder: 'out-webpack', script: '/main.js' };

  const standIn = readFileSync('src/sandbox/amazon/checkout.js', 'utf8');
  server = createServer((req, res) => {
    const url = new URL(req.url!, 'http://x');
    if (url.pathname === '/checkout.js') return void res.writeHead(200, { 'content-type': 'text/javascript' }).end(standIn);
    const [, folder, ...rest] = url.pathname.split('/');
    const output = Object.values(outputs).find((o) => o.folder === folder);
    if (!output) return void res.writeHead(404).end();
    if (rest.join('/') === '')
      return void res.writeHead(200, { 'content-type': 'text/html' }).end(`<!doctype html><script type="module" src="/${folder}${output.script}"></script>`);
    try {
      res.writeHead(200, { 'content-type': 'text/javascript' }).end(readFileSync(join(dir, folder, ...rest)));
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  server?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("import 'amazon-pay-v2' in a production bundle", () => {
  for (const bundler of ['Vite 8', 'Vite 7', 'esbuild', 'webpack']) {
    it(`${bundler}: keeps the definition, and the element draws Amazon's button`, async () => {
      const { folder, script } = outputs[bundler];
      const bundle = readFileSync(join(dir, folder, script));
      assert.ok(bundle.includes('amazon-pay-v2'), `${bundler}'s bundle (${bundle.length} bytes) has no trace of the element`);
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      try {
        await page.goto(`${origin}/${folder}/`);
        await page.waitForLoadState('load');
        // (These run in the page; typed loosely because this file is checked with Node's types.)
        assert.equal(await page.evaluate(() => typeof (globalThis as any).customElements.get('amazon-pay-v2')), 'function', 'the element is defined');
        // The element with the stand-in checkout.js, as the README's standard button.
        const drawn = await page.evaluate(async (scriptSrc) => {
          const el = (globalThis as any).document.createElement('amazon-pay-v2');
          Object.assign(el, {
            merchantId: 'A2MERCHANT',
            publicKeyId: 'SANDBOX-AKEY',
            sandbox: true,
            signature: 'sig',
            payloadJson: '{"storeId":"s"}',
            scriptSrc,
          });
          const ready = new Promise((resolve, reject) => {
            el.addEventListener('amazon-pay-ready', resolve);
            el.addEventListener('amazon-pay-error', (e: any) => reject(new Error(e.detail.message)));
          });
          (globalThis as any).document.body.append(el);
          await ready;
          const host = [...el.querySelectorAll('*')].find((n: any) => n.shadowRoot);
          return { status: el.getAttribute('status'), button: !!host?.shadowRoot?.querySelector('.amazonpay-button-view1') };
        }, `${origin}/checkout.js`);
        assert.deepEqual(drawn, { status: 'ready', button: true });
        assert.deepEqual(errors, []);
      } finally {
        await page.close();
      }
    });
  }
});
