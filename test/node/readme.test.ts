// Every code block of the README, as a user copies it: read from README.md at test time (editing
// the README changes what runs here) and run or type-checked against the packed tarball installed
// in a fixture app. Server code runs against the sandbox; TypeScript blocks compile under `strict`
// (TypeScript 5.9, the version users' editors have); the Vue block passes vue-tsc with
// strictTemplates (and a wrong attribute value fails it); HTML blocks render in Chromium.
// The last test fails when a block is added that nothing here (or a named test) exercises.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { launchChromium } from './support/browser.js';
import { docBlocks, documents, type DocBlock } from './support/doc-blocks.js';
import { fixtureApp } from './support/packed.js';
import { startSandbox, type RunningSandbox } from './support/servers.js';

const exec = promisify(execFile);

const blocks: DocBlock[] = documents().flatMap(docBlocks);
const exercised = new Map<string, string>();
/** Every block of `lang` matching `pattern` (the twins README.md and README.en.md share some), marked as exercised by `by`. */
function everyBlock(lang: string, pattern: RegExp, by: string): DocBlock[] {
  const found = blocks.filter((b) => b.lang === lang && pattern.test(b.code));
  assert.ok(found.length >= 1, `no ${lang} block of the README or docs/ matches ${pattern}`);
  for (const b of found) exercised.set(`${b.file}:${b.line}`, by);
  return found;
}

/** The one block (README.md or docs/) of `lang` whose code matches `pattern`, marked as exercised by `by`. */
function block(lang: string, pattern: RegExp, by = 'readme.test.ts'): string {
  const found = blocks.filter((b) => b.lang === lang && pattern.test(b.code));
  assert.equal(found.length, 1, `one ${lang} block of the README or docs/ matching ${pattern}, found ${found.length}`);
  exercised.set(`${found[0].file}:${found[0].line}`, by);
  return found[0].code;
}

/** Import lines first (a snippet may import in its middle), then the rest. */
function hoistImports(code: string): { imports: string; body: string } {
  const lines = code.split('\n');
  return { imports: lines.filter((l) => l.startsWith('import ')).join('\n'), body: lines.filter((l) => !l.startsWith('import ')).join('\n') };
}

let dir: string;
let sandbox: RunningSandbox;
const TSCONFIG = {
  compilerOptions: {
    strict: true,
    target: 'es2022',
    module: 'esnext',
    moduleResolution: 'bundler',
    lib: ['es2022', 'dom', 'dom.iterable'],
    jsx: 'react-jsx',
    noEmit: true,
    skipLibCheck: false,
    types: [],
  },
};

before(async () => {
  sandbox = await startSandbox();
  dir = await fixtureApp({ 'tsconfig.json': JSON.stringify(TSCONFIG) }, [
    'typescript@5.9.3',
    'vue@3.5.45',
    'vue-tsc@3.3.14',
    'react@19.3.1',
    '@types/react@19.3.3',
    'hono@4.13.19',
    '@electric-sql/pglite@0.5.17',
    'preact@11.2.0',
    'solid-js@1.9.20',
    'svelte@5.57.3',
    'svelte-check@4.7.8',
  ]);
});
after(async () => {
  await sandbox?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Runs a module file in the fixture with the sandbox's GMO-PG settings; its stdout. */
async function runModule(name: string, code: string): Promise<string> {
  writeFileSync(join(dir, name), code);
  const env = { PATH: process.env.PATH, GMO_PG_BASE_URL: sandbox.baseUrl, GMO_PG_SHOP_ID: sandbox.shopId, GMO_PG_SHOP_PASS: sandbox.shopPass };
  const { stdout } = await exec(process.execPath, [name], { cwd: dir, env });
  return stdout;
}

/**
 * Type-checks `files` (written into the fixture) in one run of the fixture's TypeScript 5.9 under
 * strict and `options`. Files named in `failing` must fail with an error matching their pattern
 * (a wrong value is caught); every other file must have no error at all.
 */
async function typecheck(files: Record<string, string>, options: Record<string, unknown> = {}, failing: Record<string, RegExp> = {}): Promise<void> {
  for (const [name, code] of Object.entries(files)) writeFileSync(join(dir, name), code);
  const tsconfig = { ...TSCONFIG, compilerOptions: { ...TSCONFIG.compilerOptions, ...options }, files: Object.keys(files) };
  writeFileSync(join(dir, 'tsconfig.snippets.json'), JSON.stringify(tsconfig));
  const result = await exec(join(dir, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.snippets.json'], { cwd: dir }).catch((e) => e);
  const errors: string[] = (result.stdout ?? '').split('\n').filter((l: string) => /error TS\d+/.test(l));
  const listing = `${result.stdout}\n${Object.entries(files)
    .map(([n, c]) => `--- ${n}\n${c}`)
    .join('\n')}`;
  assert.deepEqual(
    errors.filter((l) => !Object.keys(failing).some((f) => l.startsWith(f))),
    [],
    listing,
  );
  for (const [file, pattern] of Object.entries(failing))
    assert.ok(
      errors.some((l) => l.startsWith(file) && pattern.test(l)),
      `no error matching ${pattern} in ${file}\n${listing}`,
    );
}

/** A JSX snippet inside a component of its own, its imports first and `setError` declared. */
function component(snippet: string): string {
  const { imports, body } = hoistImports(snippet);
  return `${imports}
declare function setError(message: string): void;
export const Checkout = () => (<>
${body.replace(/^\/\/.*$/gm, '')}
</>);
`;
}

describe('README code blocks', () => {
  for (const [language, pattern] of [
    ['Japanese', /^\/\/ ブラウザ: import 'amazon-pay-v2';/],
    ['English', /^\/\/ Browser: after import 'amazon-pay-v2';/],
  ] as const)
    it(`quick start (server, ${language} README): creates the handler from the environment and starts a checkout`, async () => {
      const code = block('js', pattern);
      const out = await runModule(
        `quickstart-${language}.mjs`,
        `${code}
const answer = await amazonPay.fetch(new Request('https://shop.example/checkout', { method: 'POST', headers: { origin: 'https://shop.example', 'content-type': 'application/json' }, body: '{}' }));
const body = await answer.json();
console.log(answer.status, body.startUrl);
await amazonPay.close();
`,
      );
      assert.match(out, new RegExp(`^200 ${sandbox.baseUrl}AmazonpayStart\\.idPass$`, 'm'));
    });

  it("server module (Hono): the endpoint mounted at /api/amazon-pay starts a checkout for the cart's amount", async () => {
    const code = block('js', /^import \{ Hono \} from 'hono';/);
    const out = await runModule(
      'hono.mjs',
      `const cartOf = async () => ({ total: 2980, shipping: 0 });
${code}
const answer = await app.request('https://shop.example/api/amazon-pay/checkout', { method: 'POST', headers: { origin: 'https://shop.example', 'content-type': 'application/json' }, body: '{}' });
const { orderId } = await answer.json();
console.log(answer.status, (await amazonPay.store.get(orderId)).amount);
await amazonPay.close();
`,
    );
    assert.match(out, /^200 2980$/m);
  });

  it('npm import and the confirm page compile under strict TypeScript', async () => {
    const npm = block('js', /^import 'amazon-pay-v2'; \/\/ <amazon-pay-v2> を定義/);
    const confirm = block('ts', /getCheckoutSessionId\(\)/);
    await typecheck({
      'confirm-page.ts': `${npm}
declare const orderButton: HTMLButtonElement;
declare function showError(message: string): void;
${confirm}
export {};
`,
    });
  });

  it('React: the component with typed event props compiles under strict; status is not a prop', async () => {
    const code = block('tsx', /^\/\/ React 19/);
    await typecheck(
      { 'react-snippet.tsx': component(code), 'react-bad.tsx': component(code.replace('mode="apb"', 'mode="apb" status="ready"')) },
      {},
      { 'react-bad.tsx': /status/ },
    );
  });

  it('Vue: the template passes vue-tsc with strictTemplates, and a wrong attribute value fails it', async () => {
    const sfc = block('vue', /^<!-- Vue 3/);
    writeFileSync(join(dir, 'App.vue'), sfc);
    writeFileSync(
      join(dir, 'Bad.vue'),
      `<script setup lang="ts">import 'amazon-pay-v2';</script>
<template><amazon-pay-v2 mode="apb" button-color="Red" /></template>
`,
    );
    // env.d.ts as the README says.
    writeFileSync(join(dir, 'env.d.ts'), "import type {} from 'amazon-pay-v2/vue';\n");
    const vueTsconfig = (files: string[]) =>
      JSON.stringify({ ...TSCONFIG, compilerOptions: { ...TSCONFIG.compilerOptions, jsx: 'preserve' }, files, vueCompilerOptions: { strictTemplates: true } });
    const vueTsc = join(dir, 'node_modules', '.bin', 'vue-tsc');
    writeFileSync(join(dir, 'tsconfig.vue.json'), vueTsconfig(['env.d.ts', 'App.vue', 'Bad.vue']));
    const run = await exec(vueTsc, ['-p', 'tsconfig.vue.json'], { cwd: dir }).catch((e) => e);
    const errors: string[] = (run.stdout ?? '').split('\n').filter((l: string) => /error TS\d+/.test(l));
    assert.deepEqual(
      errors.filter((l) => !l.startsWith('Bad.vue')),
      [],
      run.stdout,
    );
    assert.ok(
      errors.some((l) => /"Red"/.test(l)),
      `vue-tsc accepted button-color="Red"\n${run.stdout}`,
    );
  });

  it('Preact: attributes and events are typed (amazon-pay-v2/preact), and a wrong value fails', async () => {
    const code = block('tsx', /^\/\/ Preact /);
    const preact = { jsx: 'react-jsx', jsxImportSource: 'preact' };
    await typecheck(
      { 'preact-snippet.tsx': component(code), 'preact-bad.tsx': component(code.replace('mode="apb"', 'mode="apb" placement="Basket"')) },
      preact,
      { 'preact-bad.tsx': /"Basket"/ },
    );
  });

  it('Solid: attributes, on: events and prop: are typed (amazon-pay-v2/solid), and a wrong value fails', async () => {
    const code = block('tsx', /^\/\/ Solid /);
    const solid = { jsx: 'preserve', jsxImportSource: 'solid-js' };
    await typecheck(
      {
        'solid-snippet.tsx': component(code.replace('sandbox', 'sandbox prop:payloadJson="{}"')),
        'solid-bad.tsx': component(code.replace('mode="apb"', 'mode="checkout"')),
      },
      solid,
      { 'solid-bad.tsx': /"checkout"/ },
    );
  });

  it('Svelte: the component passes svelte-check (attribute types from amazon-pay-v2/jsx), and a wrong value fails', async () => {
    const code = block('svelte', /^<!-- Svelte 5/);
    writeFileSync(join(dir, 'Checkout.svelte'), code);
    writeFileSync(join(dir, 'Bad.svelte'), code.replace('mode="apb"', 'mode="apb" button-color="Red"'));
    writeFileSync(join(dir, 'svelte-env.d.ts'), "import type {} from 'amazon-pay-v2/jsx';\n");
    writeFileSync(join(dir, 'tsconfig.svelte.json'), JSON.stringify({ ...TSCONFIG, files: ['svelte-env.d.ts'], include: ['Checkout.svelte', 'Bad.svelte'] }));
    const run = await exec(
      join(dir, 'node_modules', '.bin', 'svelte-check'),
      ['--tsconfig', './tsconfig.svelte.json', '--output', 'machine', '--fail-on-warnings'],
      { cwd: dir },
    ).catch((e) => e);
    const problems: string[] = (run.stdout ?? '').split('\n').filter((l: string) => / (ERROR|WARNING) /.test(l));
    assert.deepEqual(
      problems.filter((l) => !l.includes('"Bad.svelte"')),
      [],
      run.stdout,
    );
    assert.ok(
      problems.some((l) => /ERROR "Bad\.svelte".*Red.* is not assignable/.test(l)),
      `svelte-check accepted button-color="Red"\n${run.stdout}`,
    );
  });

  it('operations: every command line runs against a real store (test/node/cli.test.ts)', () => {
    // The lines themselves are run by cli.test.ts ("runs the README's command lines").
    block('sh', /npx amazon-pay-v2 orders list/, 'cli.test.ts');
  });

  describe('HTML in Chromium', () => {
    let browser: Browser;
    let server: Server;
    let origin: string;
    let page = '';
    before(async () => {
      browser = await launchChromium();
      const iife = readFileSync(join(dir, 'node_modules', 'amazon-pay-v2', 'dist', 'amazon-pay-v2.iife.js'));
      server = createServer((req, res) => {
        if (req.url === '/path/to/amazon-pay-v2.iife.js') return res.writeHead(200, { 'content-type': 'text/javascript' }).end(iife);
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page);
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    after(async () => {
      await browser?.close();
      server?.close();
    });

    /** Opens `html` with Amazon's checkout.js answered by the sandbox's stand-in; the statuses of its buttons. */
    async function render(html: string): Promise<string[]> {
      page = `<!doctype html><html lang="ja"><head><meta charset="utf-8"></head><body>${html}</body></html>`;
      const context = await browser.newContext();
      await context.route('https://static-fe.payments-amazon.com/checkout.js', async (route) =>
        route.fulfill({ response: await context.request.get(`${sandbox.origin}/amazon/checkout.js`) }),
      );
      const tab = await context.newPage();
      await tab.goto(origin);
      await tab.waitForFunction("[...document.querySelectorAll('amazon-pay-v2')].every((e) => ['ready', 'error'].includes(e.getAttribute('status')))");
      const statuses = await tab.$$eval('amazon-pay-v2', (els) => els.map((e) => `${e.getAttribute('mode') ?? 'standard'}:${e.getAttribute('status')}`));
      await context.close();
      return statuses;
    }

    it('script tag (Japanese): the APB and Buy Now buttons render; the standard one, with its placeholder payload, shows its fallback', async () => {
      const html = block('html', /<!-- 都度決済 \/ 利用承諾/);
      assert.deepEqual(await render(html), ['standard:error', 'apb:ready', 'buy-now:ready']);
    });

    it('quick start (English) and the preload line', async () => {
      assert.deepEqual(await render(block('html', /YOUR_MERCHANT_ID/)), ['apb:ready']);
      assert.deepEqual(await render(block('html', /^<!-- scriptタグ版クイックスタート/)), ['apb:ready']);
      assert.deepEqual(await render(block('html', /^<link rel="preload"[^\n]*>$/)), []);
    });
  });

  it('links only to files that exist (README twins, docs/, CHANGELOG, CONTRIBUTING)', () => {
    const broken: string[] = [];
    for (const file of [...documents(), 'CHANGELOG.md', 'CONTRIBUTING.md']) {
      for (const [, target] of readFileSync(file, 'utf8').matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)) {
        if (/^https?:/.test(target)) continue;
        if (!existsSync(join(dirname(file), target))) broken.push(`${file}: ${target}`);
      }
    }
    assert.deepEqual(broken, []);
  });

  it('leaves no block unexercised', () => {
    // Exercised elsewhere: the repository's two commands are what `.ci/run` and the demo test run,
    // and the npm quick start's commands are what the packed-install tests do.
    for (const b of everyBlock('sh', /^npm ci && npm run demo/, '.ci/run (npm ci, npm test) and demo.e2e.test.ts (the demo server)')) {
      assert.ok(b.line <= 6 && ['README.md', 'README.en.md'].includes(b.file), `${b.file}:${b.line}: the two commands open the README`);
    }
    everyBlock(
      'sh',
      /^npm install amazon-pay-v2 /,
      'install-weight.test.ts, quickstart.browser.test.ts (npm install, npx amazon-pay-v2 sandbox), host-next.test.ts (with PGlite)',
    );
    // The host recipes of docs/hosts.md: each host test copies its block into a fixture app and pays through it.
    block('js', /^\/\/ Fastify 5/, 'host-fastify-koa.test.ts');
    block('js', /^\/\/ Koa 3/, 'host-fastify-koa.test.ts');
    for (const file of ['vite.config.js', 'src/hooks.server.js', 'src/routes/api/amazon-pay/'])
      block('js', new RegExp(`^// SvelteKit 3: ${file.replaceAll('.', '\\.')}`), 'host-sveltekit.test.ts');
    block('svelte', /^<!-- SvelteKit 3: src\/routes\/\+page\.svelte/, 'host-sveltekit.test.ts');
    for (const file of ['astro.config.mjs', 'src/middleware.js', 'src/pages/api/amazon-pay/'])
      block('js', new RegExp(`^// Astro 7: ${file.replaceAll('.', '\\.')}`), 'host-astro.test.ts');
    block('astro', /^---\n\/\/ Astro 7: src\/pages\/index\.astro/, 'host-astro.test.ts');
    const missing = blocks.filter((b) => !exercised.has(`${b.file}:${b.line}`)).map((b) => `${b.file}:${b.line} (${b.lang})`);
    assert.deepEqual(missing, [], 'README and docs/ blocks that no test exercises');
  });
});
