// Benchmarks 2–4 in headless Chromium: time to button (the seed's hand-written snippet vs
// <amazon-pay-v2> from the IIFE, alternating), many buttons and lazy loading, and the time our
// code adds between an APB click and the form submission. Needs `npm run build` first.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, findChromium } from '../test/support/chromium.mjs';
import { checkoutJsLink } from '../dist/node/server.js';

const STAND_IN = readFileSync('src/sandbox/amazon/checkout.js', 'utf8');
const IIFE = readFileSync('dist/amazon-pay-v2.iife.js', 'utf8');
const SCRIPT_DELAY = 150; // ms the checkout.js stand-in waits before answering, like a CDN would
const ENDPOINT_DELAY = 40; // ms the APB endpoint takes
const OPTIONS = `merchantId: 'A2MERCHANT', ledgerCurrency: 'JPY', sandbox: true, checkoutLanguage: 'ja_JP', productType: 'PayAndShip', placement: 'Cart', buttonColor: 'Gold'`;

// Identical in every page: note when Amazon's container gets its shadow root. In a page loaded by
// the plain Chromium (`i` in its query) the probe also reports that time and moves on to the next
// page of the sequence, so that no debugger needs to be attached (see timeToButtonPlain).
const probe = (q) =>
  `<script>window.__first=performance.now();window.__t={};const a=Element.prototype.attachShadow;Element.prototype.attachShadow=function(o){if(this.id&&!(this.id in __t)){__t[this.id]=performance.now();${
    q.has('i')
      ? `fetch('/report?i=${Number(q.get('i'))}&t='+__t[this.id]+'&first='+__first,{method:'POST'}).then(r=>r.text()).then(u=>u&&location.replace(u));`
      : ''
  }}return a.call(this,o)};</script>`;

const requests = new Map(); // key -> checkout.js requests
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function pages(url) {
  const q = url.searchParams;
  const src = `/checkout.js?key=${q.get('key')}&submit=0`;
  switch (url.pathname) {
    case '/handwritten.html':
      return `<!doctype html><html><head>${probe(q)}</head><body><div id="AmazonPayButton"></div>
<script src="${src}"></script><script>amazon.Pay.renderButton('#AmazonPayButton', { ${OPTIONS} });</script></body></html>`;
    case '/element.html': {
      const n = Number(q.get('n') ?? 1);
      const lazy = q.get('lazy') === '1';
      // What the README recommends for the fastest button: let the browser fetch checkout.js while the IIFE loads.
      const preload = q.get('preload') === '1' ? `<link rel="preload" as="script" href="${src}">` : '';
      const buttons = Array.from(
        { length: n },
        () =>
          `<amazon-pay-v2 mode="apb" endpoint="/endpoint" merchant-id="A2MERCHANT" sandbox script-src="${src}"${lazy ? ' loading="lazy"' : ''}></amazon-pay-v2>`,
      ).join('');
      return `<!doctype html><html><head>${probe(q)}${preload}<script src="/amazon-pay-v2.iife.js"></script></head><body>
${lazy ? '<div style="height:4000px"></div>' : ''}${buttons}
<script>window.__ready=[];document.addEventListener('amazon-pay-ready',()=>window.__ready.push(performance.now()));</script></body></html>`;
    }
    case '/apb-handwritten.html':
      // The minimal hand-written APB glue: onClick → fetch → form → submit.
      return `<!doctype html><html><body><div id="AmazonPayButton"></div><script src="${src}"></script><script>
const b = amazon.Pay.renderButton('#AmazonPayButton', { ${OPTIONS} });
b.onClick(async () => { window.__click = performance.now();
  const r = await (await fetch('/endpoint', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).json();
  const f = document.createElement('form'); f.method = 'POST'; f.action = r.startUrl;
  for (const [n, v] of [['AccessID', r.accessId], ['Token', r.token]]) { const i = document.createElement('input'); i.type = 'hidden'; i.name = n; i.value = v; f.append(i); }
  document.body.append(f); window.__submit = performance.now(); });
</script></body></html>`;
    default:
      return undefined;
  }
}

// The sequence the plain Chromium walks: each page reports its time here and is told the next URL.
const plain = { urls: [], times: [], firsts: [], done: () => {} };

const server = createServer(async (req, res) => {
  const url = new URL(req.url, 'http://x');
  if (url.pathname === '/report') {
    const i = Number(url.searchParams.get('i'));
    plain.times[i] = Number(url.searchParams.get('t'));
    plain.firsts[i] = Number(url.searchParams.get('first'));
    plain.seen = Date.now();
    res.end(plain.urls[i + 1] ?? '');
    if (i + 1 === plain.urls.length) plain.done();
    return;
  }
  if (url.pathname === '/checkout.js') {
    const key = url.searchParams.get('key');
    requests.set(key, (requests.get(key) ?? 0) + 1);
    await sleep(SCRIPT_DELAY);
    res.writeHead(200, { 'content-type': 'text/javascript', 'cache-control': 'no-store' });
    return res.end(STAND_IN);
  }
  if (url.pathname === '/amazon-pay-v2.iife.js') {
    res.writeHead(200, { 'content-type': 'text/javascript', 'cache-control': 'no-store' });
    return res.end(IIFE);
  }
  if (url.pathname === '/endpoint') {
    await sleep(ENDPOINT_DELAY);
    res.writeHead(200, { 'content-type': 'application/json' });
    return res.end(JSON.stringify({ startUrl: '/start', accessId: 'a'.repeat(32), token: 'tok+en' }));
  }
  const html = pages(url);
  if (html) {
    // The server helper: the page's response names checkout.js (a Link header), no <link> in the page.
    const link = url.searchParams.get('link') === '1' ? { link: checkoutJsLink({ src: `/checkout.js?key=${url.searchParams.get('key')}&submit=0` }) } : {};
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', ...link });
    return res.end(html);
  }
  res.writeHead(404).end();
});

/**
 * Loads `urls` in turn in a Chromium started with the first one on its command line and no
 * debugger attached, as a shopper's browser is; resolves with each page's time to button and the
 * time its first script ran.
 *
 * Why not Playwright here: with DevTools attached, Chromium runs a page's first script 20–50 ms
 * after the HTML arrived (measured: an inline script in <head> at ~60 ms vs ~5 ms without), while
 * a <script src> in the HTML is still found at once by the preload scanner. Every page whose
 * checkout.js request starts from script (the IIFE's, or any loader's) paid that delay under
 * Playwright only.
 */
async function timeToButtonPlain(origin, urls) {
  const { executablePath, env } = await findChromium();
  const profile = mkdtempSync(join(tmpdir(), 'apv2-bench-'));
  Object.assign(plain, { urls: urls.map((u, i) => `${u}&i=${i}`), times: [], firsts: [], seen: Date.now() });
  const finished = new Promise((resolve) => (plain.done = resolve));
  const chromium = spawn(executablePath, [...CHROMIUM_ARGS, `--user-data-dir=${profile}`, `${origin}${plain.urls[0]}`], {
    env,
    stdio: 'ignore',
    detached: true,
  });
  const exited = new Promise((resolve) => chromium.once('exit', resolve));
  let watchdog;
  const stalled = new Promise((_, reject) => {
    watchdog = setInterval(() => {
      if (Date.now() - plain.seen > 20_000)
        reject(new Error(`time to button: the plain Chromium reported nothing for 20 s (page ${plain.times.length} of ${urls.length})`));
    }, 1000);
  });
  try {
    await Promise.race([finished, stalled, exited.then((code) => Promise.reject(new Error(`time to button: Chromium exited (${code}) before the last page`)))]);
    return { times: plain.times, firsts: plain.firsts };
  } finally {
    clearInterval(watchdog);
    // The whole process group: the browser and its renderers (spawned detached, so it leads one).
    if (chromium.pid !== undefined) {
      try {
        process.kill(-chromium.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    rmSync(profile, { recursive: true, force: true, maxRetries: 3 });
  }
}

/** `loads`: page loads per figure; `counts`: how many buttons on the many-buttons pages; `rounds` of each. */
export async function browserBenchmarks({ loads = 30, counts = [1, 10, 50], rounds = 7 } = {}) {
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const origin = `http://127.0.0.1:${server.address().port}`;
  const { executablePath, env } = await findChromium();
  const browser = await chromium.launch({ executablePath, env, headless: true, args: CHROMIUM_ARGS.filter((a) => a !== '--headless') });
  let seq = 0;
  const key = () => `b${Date.now()}-${++seq}`;
  const results = {};
  try {
    const page = await browser.newPage();

    // 2. Time to button: the four pages alternating, first in a plain Chromium (the figure), then
    // driven by Playwright (shown for comparison: a debugger delays every page's first script).
    const variants = [
      ['handwritten', 'handwritten', ''],
      ['element', 'element', ''],
      ['elementPreload', 'element', '&preload=1'],
      ['elementLink', 'element', '&link=1'],
    ];
    const rounds2 = loads + 2; // the first two rounds warm up
    const urls = [];
    for (let i = 0; i < rounds2; i++) for (const [, file, extra] of variants) urls.push(`/${file}.html?key=${key()}${extra}`);
    const { times: plainTimes, firsts } = await timeToButtonPlain(origin, urls);
    const driven = [],
      drivenFirsts = [];
    for (const url of urls) {
      await page.goto(`${origin}${url}`);
      driven.push(await page.waitForFunction(() => Object.values(window.__t)[0], null, { polling: 5 }).then((h) => h.jsonValue()));
      drivenFirsts.push(await page.evaluate(() => window.__first));
    }
    const medians = (times) =>
      Object.fromEntries(variants.map(([name], v) => [name, median(times.filter((_, i) => i % variants.length === v && i >= 2 * variants.length))]));
    const ttb = medians(plainTimes);
    const ttbDriven = medians(driven);
    results.timeToButton = {
      ...ttb,
      ratio: ttb.element / ttb.handwritten,
      ratioPreload: ttb.elementPreload / ttb.handwritten,
      ratioLink: ttb.elementLink / ttb.handwritten,
      underPlaywright: ttbDriven,
      firstScript: { plain: median(firsts), playwright: median(drivenFirsts) },
    };
    const r = results.timeToButton;
    const row = (label, name) =>
      `| ${label} | ${ttb[name].toFixed(1)} | ${(ttb[name] / ttb.handwritten).toFixed(3)} | ${ttbDriven[name].toFixed(1)} | ${(ttbDriven[name] / ttbDriven.handwritten).toFixed(3)} |`;
    console.log(`\n## 2. Time to button (checkout.js stand-in delayed ${SCRIPT_DELAY} ms; median of ${loads} alternating loads)\n`);
    console.log(
      "median ms from navigation start to the container's shadow root, in a Chromium with no debugger attached (as a shopper's) and driven by Playwright\n",
    );
    console.log('| page | ms | ratio | ms, Playwright | ratio, Playwright |');
    console.log('|---|---:|---:|---:|---:|');
    console.log(row("seed's hand-written snippet", 'handwritten'));
    console.log(row("<amazon-pay-v2> from the IIFE + <link rel=preload> for checkout.js (the README's snippet as written)", 'elementPreload'));
    console.log(row('<amazon-pay-v2> from the IIFE alone (the snippet without its preload line)', 'element'));
    console.log(row("<amazon-pay-v2> from the IIFE, the page's response with checkoutJsLink() as its Link header (no <link> in the page)", 'elementLink'));
    const met = (x) => (x <= 1.05 ? 'met' : 'MISSED');
    console.log(
      `\ntarget ≤ 1.05 (no debugger): ${met(r.ratioPreload)} as the README writes it, ${met(r.ratio)} without its preload line, ${met(r.ratioLink)} with the Link header. A page's first script (the probe, inline at the top of <head>) ran at ${r.firstScript.plain.toFixed(1)} ms with no debugger and ${r.firstScript.playwright.toFixed(1)} ms under Playwright: a delay that only the pages starting checkout.js from script pay`,
    );

    // 3. Many buttons, and lazy.
    console.log('\n## 3. Many buttons on one page\n');
    console.log('| elements | checkout.js requests | median ms until all ready |');
    console.log('|---:|---:|---:|');
    results.many = [];
    for (const n of counts) {
      const times = [];
      let count = 0;
      for (let i = 0; i < rounds; i++) {
        const k = key();
        await page.goto(`${origin}/element.html?n=${n}&key=${k}`);
        await page.waitForFunction((n) => window.__ready.length === n, n, { polling: 5 });
        times.push(await page.evaluate(() => Math.max(...window.__ready)));
        count = Math.max(count, requests.get(k));
      }
      results.many.push({ n, requests: count, ms: median(times) });
      console.log(`| ${n} | ${count} | ${median(times).toFixed(1)} |`);
    }
    const lazyKey = key();
    await page.goto(`${origin}/element.html?n=1&lazy=1&key=${lazyKey}`);
    await sleep(500);
    const before = requests.get(lazyKey) ?? 0;
    await page.evaluate(() => document.querySelector('amazon-pay-v2').scrollIntoView());
    await page.waitForFunction(() => window.__ready.length === 1, null, { polling: 5 });
    const afterScroll = requests.get(lazyKey) ?? 0;
    results.lazy = { before, afterScroll };
    console.log(`\nlazy: a button below the fold fetched checkout.js ${before} times before scrolling, ${afterScroll} after`);

    // 4. Click to AmazonpayStart: what our code adds beyond the endpoint's own time.
    const oursClick = [],
      handClick = [];
    for (let i = 0; i < loads; i++) {
      await page.goto(`${origin}/element.html?n=1&key=${key()}`);
      await page.waitForFunction(() => window.__ready.length === 1, null, { polling: 5 });
      await page.evaluate(() => {
        const el = document.querySelector('amazon-pay-v2');
        el.addEventListener('amazon-pay-click', () => (window.__click = performance.now()));
        el.addEventListener('amazon-pay-redirect', () => (window.__submit = performance.now()));
        addEventListener('submit', (e) => e.preventDefault(), true);
      });
      await page.locator('[slot=button]').click();
      await page.waitForFunction(() => window.__submit, null, { polling: 5 });
      oursClick.push(await page.evaluate(() => window.__submit - window.__click));
      await page.goto(`${origin}/apb-handwritten.html?key=${key()}`);
      await page.locator('#AmazonPayButton').click();
      await page.waitForFunction(() => window.__submit, null, { polling: 5 });
      handClick.push(await page.evaluate(() => window.__submit - window.__click));
    }
    results.click = { element: median(oursClick), handwritten: median(handClick) };
    console.log(`\n## 4. Click to AmazonpayStart (endpoint answers in ${ENDPOINT_DELAY} ms; median of ${loads})\n`);
    console.log('| glue | median ms from click to the form being submitted |');
    console.log('|---|---:|');
    console.log(`| minimal hand-written (fetch → form) | ${median(handClick).toFixed(1)} |`);
    console.log(`| <amazon-pay-v2 mode="apb"> | ${median(oursClick).toFixed(1)} |`);
    console.log(
      `\nadded by our code: ${(median(oursClick) - median(handClick)).toFixed(1)} ms (validation of the answer, the allow-list, the cancelable events, a fresh chunk on the first click)`,
    );
  } finally {
    await browser.close();
    server.close();
  }
  return results;
}

if (import.meta.url === `file://${process.argv[1]}`) await browserBenchmarks();
