// End to end, in Chromium, against the running demo (`npm run demo`'s server, in this process):
// every flow of the seed from the button to the orders page. Screenshots go to test-output/screenshots.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { startDemo, type Demo } from '../../demo/server.js';
import { launchChromium } from './support/browser.js';
import { freePort } from './support/servers.js';
import type { SqlOrderStore } from '../../src/server/orders/sql-store.js';

const SHOTS = 'test-output/screenshots';
let demo: Demo;
let browser: Browser;
let dataDir: string;
let port: number;

before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  dataDir = mkdtempSync(join(tmpdir(), 'apv2-demo-'));
  port = await freePort();
  demo = await startDemo({ port, dataDir, quiet: true });
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await demo?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

/** What went wrong in a page (script errors, CSP violations): checked after each test, not thrown from an event. */
const pageProblems: string[] = [];
afterEach(() => assert.deepEqual(pageProblems.splice(0), [], 'the pages ran without errors or CSP violations'));

async function newPage(): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1100, height: 900 }, locale: 'ja-JP' });
  page.on('pageerror', (error) => pageProblems.push(`page error on ${page.url()}: ${error.message}`));
  // A page's own scripts, styles and fonts must all load.
  page.on('response', (response) => {
    if (response.status() >= 400 && /\.(js|css|woff2)(\?|$)/.test(new URL(response.url()).pathname))
      pageProblems.push(`${response.status()} ${response.url()}`);
  });
  // The pages run under a strict CSP: anything it blocks is a defect of the page.
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) pageProblems.push(`CSP violation on ${page.url()}: ${message.text()}`);
  });
  return page;
}
const shot = (page: Page, name: string) => page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });
const fault = (body: object) =>
  fetch(`${demo.url}__sandbox/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
const amazonButton = (page: Page, slot: string) => page.locator(`#${slot}-slot amazon-pay-v2[status=ready] [slot=button]`);

/** From the shop page, through the stand-in Amazon sign-in and selection, to the confirm page. */
async function toConfirmPage(page: Page, slot: 'onetime' | 'recurring') {
  await page.goto(demo.url);
  await amazonButton(page, slot).click();
  await page.waitForURL(/\/amazon\/checkout\/initiate$/);
  await page.getByRole('button', { name: '続行' }).click();
  await page.waitForURL(/\/confirm\.html\?.*amazonCheckoutSessionId=/);
  await page.locator('#shipping dd').first().waitFor();
}

/** From AmazonpayStart's stand-in page to the completion page; returns the order id. */
async function payAtAmazon(page: Page, button: string, outcome: 'success' | 'failure' = 'success') {
  await page.waitForURL(/\/payment\/AmazonpayStart\.idPass$/);
  await page.getByRole('button', { name: button }).click();
  await page.waitForURL(new RegExp(`/complete\\.html\\?orderId=.*&result=${outcome}`));
  await page.locator('#result h1').waitFor();
  return new URL(page.url()).searchParams.get('orderId')!;
}

const order = async (orderId: string) =>
  (await (await fetch(`${demo.url}demo/orders/${orderId}`)).json()) as { order: Record<string, any>; history: { source: string; event: string }[] };

/** On the orders page, runs an action on one order's row. */
async function onOrdersPage(page: Page, orderId: string, action: string, amount?: number) {
  await page.goto(`${demo.url}orders.html`);
  const row = page.locator(`tr[data-order-id="${orderId}"]`);
  if (amount !== undefined)
    await row
      .locator('button[data-action="' + action + '"]')
      .locator('xpath=preceding-sibling::input[1]')
      .fill(String(amount));
  await row.locator(`button[data-action="${action}"]`).click();
  await page.locator('#message.ok, #message.error').waitFor();
  return page.locator('#message').innerText();
}

describe('demo, end to end in Chromium', () => {
  it('都度決済: cart → Amazon → confirm page with a change of address → AmazonpayStart → verified result → capture', async () => {
    const page = await newPage();
    await page.goto(demo.url);
    await page.getByRole('button', { name: '1つ増やす' }).click();
    await page.locator('#total', { hasText: '4,460' }).waitFor();
    await amazonButton(page, 'onetime').waitFor();
    await shot(page, '01-shop');
    await amazonButton(page, 'onetime').click();
    await page.waitForURL(/\/amazon\/checkout\/initiate$/);
    await shot(page, '02-amazon-checkout');
    await page.getByRole('button', { name: '続行' }).click();
    await page.waitForURL(/\/confirm\.html/);
    await page.locator('#shipping', { hasText: '東京都' }).waitFor();
    await page.locator('#summary', { hasText: '4,460' }).waitFor();
    await shot(page, '03-confirm');

    // Step 7: the shopper changes the address on Amazon and comes back to the same session.
    await page.getByRole('link', { name: '変更' }).first().click();
    await page.waitForURL(/\/amazon\/checkout\/initiate_auth/);
    await page.getByLabel(/札幌 太郎/).check();
    await page.getByRole('button', { name: '変更してショップに戻る' }).click();
    await page.locator('#shipping', { hasText: '北海道' }).waitFor();

    await page.getByRole('button', { name: '注文を確定する' }).click();
    await page.waitForURL(/AmazonpayStart/);
    await shot(page, '04-amazonpay-start');
    const orderId = await payAtAmazon(page, '支払う');
    await page.locator('#result', { hasText: 'ご注文ありがとうございます' }).waitFor();
    await shot(page, '05-complete');
    const placed = await order(orderId);
    assert.deepEqual([placed.order.kind, placed.order.status, placed.order.amount, placed.order.tax], ['session', 'AUTH', 3960, 500]);

    assert.match(await onOrdersPage(page, orderId, 'capture'), /capture を実行しました/);
    await shot(page, '06-orders');
    assert.equal((await order(orderId)).order.status, 'SALES');
    await page.close();
  });

  it('利用承諾, then two 随時決済 charges and the end of the consent from the orders page', async () => {
    const page = await newPage();
    await toConfirmPage(page, 'recurring');
    assert.match(page.url(), /plan=subscription/);
    await page.locator('#summary', { hasText: '初回のお支払い' }).waitFor();
    await page.getByRole('button', { name: '注文を確定する' }).click();
    const consent = await payAtAmazon(page, '支払う');
    await page.locator('#result', { hasText: '利用承諾が登録されました' }).waitFor();
    const c = (await order(consent)).order;
    assert.deepEqual([c.amount, c.frequencyUnit, c.status], [1780, 'Month', 'AUTH']);
    assert.match(c.chargePermissionId, /^S03-/);

    for (let i = 0; i < 2; i++) assert.match(await onOrdersPage(page, consent, 'charge'), /charge を実行しました/);
    const charges = ((await (await fetch(`${demo.url}demo/orders`)).json()) as any[]).filter((o: any) => o.parentOrderId === consent);
    assert.equal(charges.length, 2);
    for (const ch of charges) assert.deepEqual([ch.kind, ch.status, ch.amount, ch.chargePermissionId], ['charge', 'CAPTURE', 1780, c.chargePermissionId]);
    await shot(page, '07-recurring-charges');
    assert.match(await onOrdersPage(page, consent, 'close'), /close を実行しました/);
    assert.match(await onOrdersPage(page, consent, 'charge'), /E08000005/);
    await page.close();
  });

  it('APB: the button goes straight to Amazon and pays', async () => {
    const page = await newPage();
    await page.goto(demo.url);
    await amazonButton(page, 'apb').click();
    await page.waitForURL(/AmazonpayStart/);
    await page.getByLabel(/髙橋 﨑子/).check();
    await page.getByLabel(/JCB/).check();
    await shot(page, '08-apb-amazon');
    const orderId = await payAtAmazon(page, '今すぐ支払う');
    const o = (await order(orderId)).order;
    assert.deepEqual([o.kind, o.status, o.stage], ['apb', 'AUTH', 'completed']);
    await page.close();
  });

  it('Buy Now: pays on the same page, declines, and cancels', async () => {
    const page = await newPage();
    await page.goto(demo.url);
    const buy = amazonButton(page, 'buynow');
    const screen = page.locator('dialog[data-amazonpay-buy-now]');
    // Pay: Amazon's screen shows the server's total, the endpoint pays on the charge permission.
    await buy.click();
    await screen.waitFor();
    assert.match(await screen.innerText(), /￥2,480/);
    await shot(page, '13-buy-now');
    // PayAndShip: another address on Amazon's screen, and the shop prices its shipping.
    await screen.locator('[data-amazonpay-address]').selectOption('2'); // Hokkaido: 700 more
    await screen.locator('[data-amazonpay-total]').filter({ hasText: '3,180' }).waitFor();
    await screen.getByRole('button', { name: '今すぐ支払う' }).click();
    await page.waitForURL(/\/complete\.html\?orderId=.*&result=success/);
    const orderId = new URL(page.url()).searchParams.get('orderId')!;
    const paid = await order(orderId);
    assert.deepEqual([paid.order.kind, paid.order.stage, paid.order.status, paid.order.amount + paid.order.tax], ['buy-now', 'completed', 'AUTH', 3180]);
    assert.equal(paid.order.shippingAddress.stateOrRegion, '北海道');
    await page.goto(`${demo.url}orders.html`);
    await page.locator(`tr[data-order-id="${orderId}"]`).getByText('お届け先: 北海道札幌市北区').waitFor();
    // Decline: Amazon keeps the buyer on its screen and says so.
    await fault({ declineNext: 1 });
    await page.goto(demo.url);
    await buy.click();
    await screen.getByRole('button', { name: '今すぐ支払う' }).click();
    await screen.getByText('お支払いが承認されませんでした').waitFor();
    await screen.getByRole('button', { name: '閉じる' }).click();
    assert.match(await page.locator('#log').innerText(), /buynow: amazon-pay-complete \{"status":"decline"/);
    // Cancel: nothing is paid.
    await buy.click();
    await screen.getByRole('button', { name: 'キャンセル' }).click();
    await page.locator('#log').getByText('buynow: amazon-pay-cancel').waitFor();
    await page.close();
  });

  it('changes the amount, captures, then refunds in part from the orders page', async () => {
    const page = await newPage();
    await page.goto(demo.url);
    await amazonButton(page, 'apb').click();
    const orderId = await payAtAmazon(page, '今すぐ支払う');
    assert.match(await onOrdersPage(page, orderId, 'change', 1500), /change を実行しました/);
    assert.equal((await order(orderId)).order.amount, 1500);
    assert.match(await onOrdersPage(page, orderId, 'capture'), /capture を実行しました/);
    assert.match(await onOrdersPage(page, orderId, 'refund', 600), /refund を実行しました/);
    const o = (await order(orderId)).order;
    assert.deepEqual([o.status, o.cancelAmount], ['RETURN', 600]);
    await page.locator(`tr[data-order-id="${orderId}"] details summary`).click();
    await page.locator(`tr[data-order-id="${orderId}"] ol.history li`).nth(5).waitFor();
    await shot(page, '09-orders-history');
    await page.close();
  });

  it('shows a declined payment at the stand-in Amazon page as a failure the shopper understands', async () => {
    await fault({ declineNext: 1 });
    const page = await newPage();
    await page.goto(demo.url);
    await amazonButton(page, 'apb').click();
    const orderId = await payAtAmazon(page, '今すぐ支払う', 'failure');
    assert.match(await page.locator('#reason').innerText(), /承認されませんでした/);
    await shot(page, '10-declined');
    assert.deepEqual([(await order(orderId)).order.stage, (await order(orderId)).order.status], ['failed', 'PAYFAIL']);
    await page.close();
  });

  it('shows a GMO-PG error on ExecTran on the confirm page, and the order says where it stopped', async () => {
    const page = await newPage();
    await toConfirmPage(page, 'onetime');
    await fault({ failNext: { api: 'ExecTranAmazonpay', errInfo: 'E91099999' } });
    await page.getByRole('button', { name: '注文を確定する' }).click();
    await page.locator('#message.error').waitFor();
    const shown = await page.locator('#message').innerText();
    assert.match(shown, /^ただいま決済サービスが混み合っています/); // the shopper's words, no HTTP details
    await shot(page, '11-gmo-error');
    const [latest] = (await (await fetch(`${demo.url}demo/orders`)).json()) as any[];
    assert.deepEqual([latest.stage, latest.errorCodes], ['exec_failed', 'E91099999']);
    await page.close();
  });

  it('handles a shopper who abandons at Amazon', async () => {
    const page = await newPage();
    await page.goto(demo.url);
    await amazonButton(page, 'apb').click();
    const orderId = await payAtAmazon(page, 'キャンセルしてショップに戻る', 'failure');
    assert.match(await page.locator('#reason').innerText(), /中止されました/);
    assert.equal((await order(orderId)).order.stage, 'failed');
    await page.close();
  });

  it('captures after the demo restarted between RetURL and the capture', async () => {
    const page = await newPage();
    await page.goto(demo.url);
    await amazonButton(page, 'apb').click();
    const orderId = await payAtAmazon(page, '今すぐ支払う');
    await demo.stop();
    demo = await startDemo({ port, dataDir, quiet: true });
    assert.match(await onOrdersPage(page, orderId, 'capture'), /capture を実行しました/);
    assert.equal((await order(orderId)).order.status, 'SALES');
    await page.close();
  });

  it('works from a plain <script> tag with the IIFE build', async () => {
    const page = await newPage();
    await page.goto(`${demo.url}script-tag.html`);
    await page.locator('#standard[status=ready]').waitFor();
    await page.locator('#apb[status=ready]').waitFor();
    assert.match(await page.locator('#log').innerText(), /AmazonPayV2 global: .*placeOrder/);
    await shot(page, '12-script-tag');
    await page.locator('#apb [slot=button]').click();
    await payAtAmazon(page, '今すぐ支払う');
    await page.close();
  });

  it('shows order data as text only: markup in an order never runs on the orders page', async () => {
    const orderId = `XSS${Date.now().toString(36).toUpperCase()}`;
    await demo.handler.store.create(
      { orderId, kind: 'apb', jobCd: 'AUTH', amount: 100, tax: 0, stage: 'failed', status: 'PAYFAIL', errorCodes: '<img src=x onerror="window.__xss=1">' },
      { source: 'RetURL', event: '<script>window.__xss=2</script>' },
    );
    const page = await newPage();
    await page.goto(`${demo.url}orders.html`);
    const row = page.locator(`tr[data-order-id="${orderId}"]`);
    await row.waitFor();
    assert.match(await row.innerText(), /<img src=x onerror="window.__xss=1">/);
    await row.locator('summary').click();
    await row.locator('ol li').first().waitFor();
    assert.match(await row.locator('ol').innerText(), /<script>window.__xss=2<\/script>/);
    assert.equal(await row.locator('img, script').count(), 0);
    assert.equal(await page.evaluate(() => (globalThis as { __xss?: number }).__xss), undefined);
    const csp = (await page.request.get(`${demo.url}orders.html`)).headers()['content-security-policy'];
    assert.match(csp, /script-src 'self'(;|$)/);
    await page.close();
  });

  it('marks an authorization about to expire on the orders page, and no other order', async () => {
    const stamp = Date.now().toString(36).toUpperCase();
    const [old, fresh] = [`EXP${stamp}`, `NEW${stamp}`];
    for (const orderId of [old, fresh]) {
      await demo.handler.store.create(
        { orderId, kind: 'apb', jobCd: 'AUTH', amount: 1200, tax: 0, stage: 'completed', status: 'AUTH' },
        { source: 'RetURL', event: 'paid' },
      );
    }
    // Authorized 28 days ago: Amazon cancels it in 2 days unless it is captured.
    const { sql } = demo.handler.store as SqlOrderStore;
    await sql.query(`update amazon_pay_order_events set at = at - interval '28 days' where order_id = $1`, [old]);
    await sql.query(`update amazon_pay_orders set created_at = created_at - interval '28 days' where order_id = $1`, [old]);
    const page = await newPage();
    await page.goto(`${demo.url}orders.html`);
    const badge = page.locator(`tr[data-order-id="${old}"] .badge.expiring`);
    await badge.waitFor();
    assert.equal(await badge.innerText(), '期限間近');
    assert.match((await badge.getAttribute('title'))!, /^オーソリの有効期限 \d{4}\/\d{1,2}\/\d{1,2}/);
    assert.equal(await page.locator(`tr[data-order-id="${fresh}"] .badge.expiring`).count(), 0);
    await page.close();
  });

  it('guards the back office and the data folder: no cross-site or non-JSON changes, no foreign Host, no files of .data', async () => {
    const root = new URL('../../', import.meta.url).pathname;
    mkdirSync(join(root, '.data'), { recursive: true });
    const probe = join(root, '.data', `probe-${port}.json`);
    writeFileSync(probe, '{"accessPass":"secret"}');
    try {
      for (const path of [`@fs${probe}`, `@fs${dataDir}/sandbox.json`, `@fs${root}package.json`, `@fs${root}.data/`]) {
        const response = await fetch(`${demo.url}${path}`);
        const text = await response.text();
        assert.ok(response.status >= 400 && !text.includes('secret') && !text.includes('accessPass'), `${path}: ${response.status} ${text.slice(0, 80)}`);
      }
    } finally {
      rmSync(probe, { force: true });
    }
    const action = `${demo.url}demo/orders/AP-NONE/charge`;
    // What a page of another site can send: a simple form post, or a fetch that carries its Origin.
    assert.equal((await fetch(action, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{"amount":99999}' })).status, 415);
    assert.equal(
      (await fetch(action, { method: 'POST', headers: { 'content-type': 'application/json', origin: 'https://evil.example' }, body: '{"amount":99999}' }))
        .status,
      403,
    );
    assert.equal(
      (await fetch(`${demo.url}demo/cart`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'coffee=3' })).status,
      415,
    );
    const rebound = await new Promise<number>((resolve, reject) =>
      request(`${demo.url}demo/orders`, { headers: { host: `attacker.example:${port}` } }, (res) => resolve(res.statusCode!))
        .on('error', reject)
        .end(),
    );
    assert.equal(rebound, 421, 'a page whose own name resolves to 127.0.0.1 gets nothing');
  });

  it('passes axe on every page; a confirm page without a session says so instead of loading for ever', async () => {
    const axe = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
    for (const path of ['', 'orders.html', 'confirm.html', 'complete.html?result=failure&reason=E08000001', 'script-tag.html']) {
      const page = await browser.newPage({ bypassCSP: true }); // to add axe itself; the pages' own CSP is checked elsewhere
      await page.goto(`${demo.url}${path}`);
      await page.locator('header.top, h1').first().waitFor();
      await page.waitForLoadState('networkidle');
      await page.addScriptTag({ content: axe });
      const violations = await page.evaluate(async () => {
        const result = await (globalThis as unknown as { axe: { run(): Promise<{ violations: { id: string; nodes: unknown[] }[] }> } }).axe.run();
        return result.violations.map((v) => `${v.id} (${v.nodes.length})`);
      });
      assert.deepEqual(violations, [], `${path || 'index.html'}: ${violations.join(', ')}`);
      if (path === 'confirm.html') {
        assert.equal(await page.locator('#payment').innerText(), '—');
        assert.match(await page.locator('#message').innerText(), /セッションがありません/);
        assert.ok(!(await page.locator('main').innerText()).includes('読み込み中'));
      }
      await page.close();
    }
  });
});
