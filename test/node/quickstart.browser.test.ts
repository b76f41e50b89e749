// The npm quick start followed literally, in Chromium: the packed tarball and PGlite installed as
// the README's first commands say, `npx amazon-pay-v2 sandbox`, the tag it prints pasted into a page
// as it is, the README's quick-start server code with the GMO_PG_* lines it prints, and one APB
// payment clicked through to the completion page.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { launchChromium } from './support/browser.js';
import { docBlock } from './support/doc-blocks.js';
import { startShopProcess, type ShopProcess } from './support/hosts.js';
import { fixtureApp } from './support/packed.js';

let dir: string;
let sandboxProcess: ChildProcess;
let printed = '';
let shop: ShopProcess;
let browser: Browser;

// Hosting for the quick start's handler (the README leaves it to the shop's server): node:http.
const HOSTING = `
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import { toNodeListener } from 'amazon-pay-v2/server';
const api = toNodeListener(amazonPay, '/api/amazon-pay');
const iife = readFileSync('node_modules/amazon-pay-v2/dist/amazon-pay-v2.iife.js');
createServer((req, res) => api(req, res, () => {
  if (req.url === '/amazon-pay-v2.iife.js') return res.writeHead(200, { 'content-type': 'text/javascript' }).end(iife);
  if (req.url.startsWith('/thanks')) return res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<p id="result">' + new URL(req.url, 'http://x').searchParams.get('result') + '</p>');
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(readFileSync('page.html'));
})).listen(Number(process.env.PORT), '127.0.0.1');
`;

before(async () => {
  const quickstart = docBlock('README.md', 'js', /^\/\/ ブラウザ: import 'amazon-pay-v2';/);
  dir = await fixtureApp({}, ['@electric-sql/pglite@0.5.17']);
  sandboxProcess = spawn(join(dir, 'node_modules', '.bin', 'amazon-pay-v2'), ['sandbox', '--port', '0', '--state-file', 'none'], { cwd: dir });
  await new Promise<void>((resolve, reject) => {
    sandboxProcess.stdout!.on('data', (d) => (printed += d) && /Result notifications/.test(printed) && resolve());
    sandboxProcess.on('exit', (code) => reject(new Error(`the sandbox exited ${code}: ${printed}`)));
  });
  const tag = /^\s*(<amazon-pay-v2 .*<\/amazon-pay-v2>)$/m.exec(printed)![1];
  const env = Object.fromEntries([...printed.matchAll(/^\s*(GMO_PG_\w+)=(\S+)/gm)].map((m) => [m[1], m[2]]));
  writeFileSync(join(dir, 'page.html'), `<!doctype html><html lang="ja"><meta charset="utf-8"><script src="/amazon-pay-v2.iife.js"></script>\n${tag}\n`);
  // The README's block as it is, but for its publicUrl, which is the shop's own origin (here the test's).
  writeFileSync(join(dir, 'server.mjs'), `${quickstart.replace("'https://shop.example'", 'process.env.PUBLIC_URL')}\n${HOSTING}`);
  shop = await startShopProcess(dir, process.execPath, ['server.mjs'], { readyPath: '/thanks', env });
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await shop?.stop();
  sandboxProcess?.kill();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the npm quick start, literally, against npx amazon-pay-v2 sandbox', () => {
  it('prints the server settings and a tag to paste, which says what merchant-id it takes', () => {
    assert.match(printed, /GMO_PG_BASE_URL=http:\/\/127\.0\.0\.1:\d+\/payment\//);
    assert.match(printed, /merchant-id may be anything here/);
  });

  it('draws the button from the pasted tag and pays an APB checkout to the completion page', async () => {
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
    await page.goto(`${shop.origin}/`);
    await page.locator('amazon-pay-v2[status=ready] [slot=button]').click();
    await page.waitForURL(/\/payment\/AmazonpayStart\.idPass$/);
    await page.getByRole('button', { name: '今すぐ支払う' }).click();
    await page.waitForURL(new RegExp(`^${shop.origin}/thanks\\?`));
    assert.equal(await page.locator('#result').innerText(), 'success');
    assert.deepEqual(problems, []);
    await page.close();
  });
});
