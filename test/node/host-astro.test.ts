// Astro 7 as shops run it: the recipe of docs/hosts.md (astro.config.mjs, src/middleware.js, the
// on-demand endpoint, a page with the element) copied into a fixture app with the packed tarball,
// `astro build` with no GMO-PG settings, then the standalone Node server: one APB payment whose RetURL
// post (Sec-Fetch-Site: cross-site, from the sandbox) and notification get through, while the shop's
// own on-demand routes keep refusing cross-site form posts.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { docBlock } from './support/doc-blocks.js';
import { assertBundleDefinesElement, assertCsrfKeptForTheShop, assertPaysApb, startShopProcess, type ShopProcess } from './support/hosts.js';
import { fixtureApp } from './support/packed.js';

const exec = promisify(execFile);
const PACKAGES = ['astro@7.4.8', '@astrojs/node@11.1.6', '@electric-sql/pglite@0.5.17'];
const recipe = (lang: string, name: string) => docBlock('docs/hosts.md', lang, new RegExp(`^(---\\n)?// Astro 7: ${name.replace(/[.[\]]/g, '\\$&')}`));

let dir: string;
let shop: ShopProcess | undefined;
let build: { stdout: string; stderr: string };
before(async () => {
  dir = await fixtureApp(
    {
      'astro.config.mjs': recipe('js', 'astro.config.mjs'),
      'src/middleware.js': recipe('js', 'src/middleware.js'),
      'src/pages/api/amazon-pay/[...path].js': recipe('js', 'src/pages/api/amazon-pay/[...path].js'),
      'src/pages/index.astro': recipe('astro', 'src/pages/index.astro'),
      // The shop's own parts: a completion page, and an on-demand form route of its own that must stay protected.
      'src/pages/thanks.js': `export const prerender = false;\nexport const GET = ({ url }) => new Response('result: ' + url.searchParams.get('result'));\n`,
      'src/pages/account.js': `export const prerender = false;\nexport const POST = () => new Response('changed');\n`,
    },
    PACKAGES,
  );
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ ...manifest, type: 'module' }));
  build = await exec(join(dir, 'node_modules', '.bin', 'astro'), ['build'], {
    cwd: dir,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ASTRO_TELEMETRY_DISABLED: '1' },
  });
  shop = await startShopProcess(dir, process.execPath, ['dist/server/entry.mjs'], { readyPath: '/thanks' });
});
after(async () => {
  await shop?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('Astro 7 (@astrojs/node), the recipe of docs/hosts.md from the packed tarball', () => {
  it('builds for production with no GMO-PG settings; the page and its script define the element', async () => {
    const client = join(dir, 'dist', 'client');
    assertBundleDefinesElement(client, build.stdout);
    const page = readFileSync(join(client, 'index.html'), 'utf8');
    assert.match(page, /<amazon-pay-v2 mode="apb" endpoint="\/api\/amazon-pay\/checkout"/);
  });

  it('pays an APB checkout: the RetURL post and the notification get through the origin check and are verified', () => assertPaysApb(shop!));

  it("keeps refusing cross-site form posts to the shop's own routes, and a forged RetURL post changes nothing", async () => {
    await assertCsrfKeptForTheShop(shop!);
  });
});
