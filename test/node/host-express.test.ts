// Express 5 as shops run it: express.json() and express.urlencoded() mounted first, the package
// loaded with require() (CommonJS), the endpoint and the sandbox (under /sandbox) mounted with
// toNodeListener. The packed tarball is installed into a fixture app; the whole flow runs over HTTP.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { formFields, postForm } from './support/servers.js';
import { fixtureApp } from './support/packed.js';

const EXPRESS = 'express@5.3.0';

const SERVER = `
const express = require('express');
const { createAmazonPayHandler, toNodeListener, MemoryOrderStore } = require('amazon-pay-v2/server');
const { createSandbox } = require('amazon-pay-v2/sandbox');

const app = express();
// The sandbox speaks GMO-PG's Windows-31J forms, which express.urlencoded() refuses (415): before the parsers.
const sandbox = createSandbox({ basePath: '/sandbox' });
app.use(toNodeListener(sandbox));
app.use(express.json());
app.use(express.urlencoded({ extended: false }));
const server = app.listen(0, '127.0.0.1', async () => {
  const origin = 'http://127.0.0.1:' + server.address().port;
  const amazonPay = await createAmazonPayHandler({
    gmo: { shopId: sandbox.shopId, shopPass: sandbox.shopPass, baseUrl: origin + '/sandbox/payment/' },
    store: new MemoryOrderStore(),
    resolveOrder: () => ({ amount: 2980, description: 'Expressのテスト' }),
    completionUrl: '/done',
    publicUrl: origin,
    logger: { info() {}, warn() {}, error: console.error },
  });
  app.use(toNodeListener(amazonPay, '/api/amazon-pay'));
  app.get('/done', (req, res) => res.send('done ' + req.query.result));
  console.log('ready ' + origin);
});
`;

let dir: string;
let origin: string;
let proc: ReturnType<typeof spawn>;

before(async () => {
  dir = await fixtureApp({ 'server.cjs': SERVER }, [EXPRESS]);
  proc = spawn(process.execPath, ['server.cjs'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  proc.stderr!.on('data', (c) => (stderr += c));
  origin = await new Promise<string>((resolve, reject) => {
    let out = '';
    proc.stdout!.on('data', (c) => {
      out += c;
      const m = /ready (\S+)/.exec(out);
      if (m) resolve(m[1]);
    });
    proc.on('exit', (code) => reject(new Error(`the Express app exited (${code}): ${stderr}`)));
  });
});
after(() => {
  proc?.kill();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('Express 5 with body parsers, from the packed tarball, loaded with require()', () => {
  it('pays an APB checkout end to end: JSON /checkout and the form post to /result both get through the parsers', async () => {
    const response = await fetch(`${origin}/api/amazon-pay/checkout`, { method: 'POST', headers: { 'content-type': 'application/json', origin }, body: '{}' });
    const start = (await response.json()) as { startUrl: string; accessId: string; token: string };
    assert.equal(response.status, 200, JSON.stringify(start));
    assert.equal(start.startUrl, `${origin}/sandbox/payment/AmazonpayStart.idPass`, 'the sandbox keeps its prefix');
    const page = formFields(await (await postForm(start.startUrl, { AccessID: start.accessId, Token: start.token })).text());
    assert.equal(page.action, '/sandbox/amazon/pay');
    const result = formFields(await (await postForm(new URL(page.action, origin).href, { ...page.fields, action: 'continue' })).text());
    assert.equal(result.action, `${origin}/api/amazon-pay/result`);
    const back = await postForm(result.action, result.fields); // parsed by express.urlencoded first
    assert.equal(back.status, 303);
    assert.match(back.headers.get('location')!, /^\/done\?orderId=.*&result=success$/);
  });

  it('refuses a sandbox mounted at another path than its own, saying what to change', async () => {
    const script = `const { createSandbox } = require('amazon-pay-v2/sandbox'); const { toNodeListener } = require('amazon-pay-v2/server');
      try { toNodeListener(createSandbox(), '/sandbox'); } catch (e) { console.log(e.message); }`;
    const out = await new Promise<string>((resolve) => {
      const p = spawn(process.execPath, ['-e', script], { cwd: dir });
      let text = '';
      p.stdout.on('data', (c) => (text += c));
      p.on('exit', () => resolve(text));
    });
    assert.match(out, /create it with \{ basePath: '\/sandbox' \}/);
    assert.ok(join(dir, 'node_modules'));
  });
});
