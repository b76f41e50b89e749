// amazon-pay-v2/react in Chromium: a React 19 app bundled by esbuild, props and typed event props.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
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

before(async () => {
  const bundle = await build({
    entryPoints: ['test/node/fixtures/react-app.tsx'],
    bundle: true, write: false, format: 'esm', jsx: 'automatic', target: 'es2022',
    define: { 'process.env.NODE_ENV': '"production"' }, tsconfig: 'tsconfig.json', logLevel: 'error',
  });
  const app = bundle.outputFiles[0].text;
  const standIn = readFileSync('src/sandbox/amazon/checkout.js', 'utf8');
  server = createServer((req, res) => {
    if (req.url === '/') res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><div id="root"></div><script type="module" src="/app.js"></script>');
    else if (req.url === '/app.js') res.writeHead(200, { 'content-type': 'text/javascript' }).end(app);
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
});
