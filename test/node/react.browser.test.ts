// amazon-pay-v2/react in Chromium: a React 19 app bundled by esbuild, props and typed event props.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { build } from 'esbuild';
import type { Browser } from 'playwright-core';
import { launchChromium } from './support/browser.js';

let server: Server;
let origin: string;
let browser: Browser;
let endpointCalls = 0;
let ssrHtml = '';
let ssrApp = '';

/** A fixture bundled for the browser, as a React app's production build would be. */
const browserBundle = async (entry: string) =>
  (
    await build({
      entryPoints: [entry],
      bundle: true,
      write: false,
      format: 'esm',
      jsx: 'automatic',
      target: 'es2022',
      define: { 'process.env.NODE_ENV': '"production"' },
      tsconfig: 'tsconfig.json',
      logLevel: 'error',
    })
  ).outputFiles[0].text;

before(async () => {
  const app = await browserBundle('test/node/fixtures/react-app.tsx');
  // Server rendering: the page's HTML from react-dom/server in Node, and the bundle that hydrates it.
  const ssrBundle = await build({
    entryPoints: ['test/node/fixtures/react-ssr-page.tsx'],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'node',
    packages: 'external',
    jsx: 'automatic',
    target: 'es2022',
    tsconfig: 'tsconfig.json',
    logLevel: 'error',
  });
  // Written inside the project, so that its imports (react, @lit/react) resolve from node_modules.
  mkdirSync('test-output', { recursive: true });
  writeFileSync('test-output/react-ssr-page.mjs', ssrBundle.outputFiles[0].text);
  const { App } = await import(pathToFileURL(resolve('test-output/react-ssr-page.mjs')).href);
  const { renderToString } = await import('react-dom/server');
  const { createElement } = await import('react');
  ssrHtml = renderToString(createElement(App));
  ssrApp = await browserBundle('test/node/fixtures/react-ssr-app.tsx');
  const standIn = readFileSync('src/sandbox/amazon/checkout.js', 'utf8');
  server = createServer((req, res) => {
    if (req.url === '/')
      res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><div id="root"></div><script type="module" src="/app.js"></script>');
    else if (req.url === '/app.js') res.writeHead(200, { 'content-type': 'text/javascript' }).end(app);
    else if (req.url === '/ssr')
      res.writeHead(200, { 'content-type': 'text/html' }).end(`<!doctype html><div id="root">${ssrHtml}</div><script type="module" src="/ssr.js"></script>`);
    else if (req.url === '/bare')
      res
        .writeHead(200, { 'content-type': 'text/html' })
        .end(
          `<!doctype html><amazon-pay-v2 id="bare" mode="apb" endpoint="/endpoint"></amazon-pay-v2><div id="root">${ssrHtml}</div><script type="module" src="/ssr.js"></script>`,
        );
    else if (req.url === '/ssr.js') res.writeHead(200, { 'content-type': 'text/javascript' }).end(ssrApp);
    else if (req.url?.startsWith('/checkout.js')) res.writeHead(200, { 'content-type': 'text/javascript' }).end(standIn);
    else if (req.url === '/endpoint') {
      endpointCalls++;
      res.writeHead(500).end();
    } else res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  server?.close();
});

describe('amazon-pay-v2/react', () => {
  it('passes props to the element and events to typed callbacks', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(origin);
    await page.locator('amazon-pay-v2:not(#raw)[status=ready]').waitFor();
    // (Runs in the page; typed loosely because this file is checked with Node's types.)
    const props = await page.evaluate(() => {
      const el = (globalThis as any).document.querySelector('amazon-pay-v2:not(#raw)');
      return { merchantId: el.merchantId, mode: el.mode, sandbox: el.sandbox, estimatedAmount: el.estimatedAmount };
    });
    assert.deepEqual(props, { merchantId: 'A2MERCHANT', mode: 'apb', sandbox: true, estimatedAmount: 1980 });
    await page.locator('amazon-pay-v2:not(#raw) [slot=button]').click();
    await page.waitForFunction(() => (globalThis as any).__log.includes('click'));
    assert.deepEqual(await page.evaluate(() => (globalThis as any).__log), ['ready true', 'click']);
    assert.equal(endpointCalls, 0, 'preventDefault() in onAmazonPayClick stopped the payment');
    await page.locator('#raw[status=ready]').waitFor(); // the raw tag works in React 19 JSX too
    assert.deepEqual(errors, []);
    await page.close();
  });

  it('server-rendered (react-dom/server) and hydrated late: no error and no checkout.js before hydration gives the element its props', async () => {
    assert.match(ssrHtml, /<amazon-pay-v2><\/amazon-pay-v2>/, 'React renders the bare tag on the server');
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(e.message));
    page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
    const amazon: string[] = [];
    await page.route(/payments-amazon\.com/, (route) => (amazon.push(route.request().url()), route.abort()));
    await page.goto(`${origin}/ssr`);
    await page.locator('amazon-pay-v2[status=ready]').waitFor();
    assert.equal(await page.evaluate(() => (globalThis as any).document.querySelector('amazon-pay-v2').merchantId), 'A2MERCHANT');
    assert.deepEqual(problems, [], 'nothing reported while the tag waited for its props');
    assert.deepEqual(amazon, [], "Amazon's production checkout.js was never asked for");
    await page.close();
  });

  it('a tag that never gets a merchant-id still says so, after its wait', async () => {
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
    await page.goto(`${origin}/bare`);
    await page.locator('#root amazon-pay-v2[status=ready]').waitFor();
    assert.equal(await page.locator('#bare').getAttribute('status'), 'idle', 'it waits quietly first');
    await page.locator('#bare[status=error]').waitFor({ state: 'attached', timeout: 6000 }); // an element in error shows only its (here empty) fallback
    assert.ok(
      problems.some((p) => /merchant-id/.test(p)),
      problems.join('\n'),
    );
    await page.close();
  });
});
