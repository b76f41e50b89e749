// SvelteKit 3 as shops run it: the recipe of docs/hosts.md (vite.config.js, hooks.server.js, the
// catch-all +server.js, a page with the element) copied into a fixture app with the packed tarball,
// a production build (`vite build`, adapter-node) with no GMO-PG settings, then `node build`: one APB
// payment whose RetURL post (cross-site, from the sandbox's origin) and result notification (no
// Origin) both get through, while the shop's own routes keep refusing cross-site form posts.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { docBlock } from './support/doc-blocks.js';
import { assertBundleDefinesElement, assertCsrfKeptForTheShop, assertPaysApb, startShopProcess, type ShopProcess } from './support/hosts.js';
import { fixtureApp } from './support/packed.js';
import { postForm } from './support/servers.js';

const exec = promisify(execFile);
const PACKAGES = [
  '@sveltejs/kit@3.4.1',
  '@sveltejs/adapter-node@6.0.2',
  'svelte@5.60.1',
  '@sveltejs/vite-plugin-svelte@7.3.3',
  'vite@8.4.1',
  '@electric-sql/pglite@0.5.17',
];
const recipe = (name: string) =>
  docBlock('docs/hosts.md', name.endsWith('.svelte') ? 'svelte' : 'js', new RegExp(`^(//|<!--) SvelteKit 3: ${name.replace(/[.[\]+]/g, '\\$&')}`));

let dir: string;
let shop: ShopProcess | undefined;
let build: { stdout: string; stderr: string };
before(async () => {
  dir = await fixtureApp(
    {
      'vite.config.js': recipe('vite.config.js'),
      'src/hooks.server.js': recipe('src/hooks.server.js'),
      'src/routes/api/amazon-pay/[...path]/+server.js': recipe('src/routes/api/amazon-pay/[...path]/+server.js'),
      'src/routes/+page.svelte': recipe('src/routes/+page.svelte'),
      // The shop's own parts: a completion page, and a form action of its own that must stay protected.
      'src/routes/thanks/+server.js': `export const GET = ({ url }) => new Response('result: ' + url.searchParams.get('result'));\n`,
      'src/routes/account/+server.js': `export const POST = () => new Response('changed');\n`,
      'src/app.html': '<!doctype html><html lang="ja"><head><meta charset="utf-8">%sveltekit.head%</head><body>%sveltekit.body%</body></html>\n',
    },
    PACKAGES,
  );
  // package.json: an ES module project, as `npx sv create` makes it.
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ ...manifest, type: 'module' }));
  build = await exec(join(dir, 'node_modules', '.bin', 'vite'), ['build'], { cwd: dir, env: { PATH: process.env.PATH, HOME: process.env.HOME } });
  shop = await startShopProcess(dir, process.execPath, ['build'], { readyPath: '/thanks' });
});
after(async () => {
  await shop?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('SvelteKit 3 (adapter-node), the recipe of docs/hosts.md from the packed tarball', () => {
  it('builds for production with no GMO-PG settings; the client bundle defines the element', () => {
    const client = join(dir, '.svelte-kit', 'output', 'client', '_app', 'immutable');
    assertBundleDefinesElement(client, build.stdout);
  });

  it('serves the page with the element as a tag', async () => {
    assert.match(await (await fetch(`${shop!.origin}/`)).text(), /<amazon-pay-v2 mode="apb" endpoint="\/api\/amazon-pay\/checkout"/);
  });

  it('pays an APB checkout: the RetURL post and the notification get through the CSRF check and are verified', () => assertPaysApb(shop!));

  it("keeps refusing cross-site form posts to the shop's own routes, and a forged RetURL post changes nothing", async () => {
    await assertCsrfKeptForTheShop(shop!);
    const noOrigin = await postForm(`${shop!.origin}/account`, {});
    assert.equal(noOrigin.status, 403, 'a form post without Origin is refused like SvelteKit refuses it');
  });
});
