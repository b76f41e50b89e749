// What `npm pack` ships, and that every entry of the exports map imports in Node without a DOM.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { packTarball } from './support/packed.js';

const pkg = JSON.parse(readFileSync('package.json', 'utf8'));

describe('the npm package', () => {
  const packed = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { encoding: 'utf8' }))[0];
  const files: string[] = packed.files.map((f: { path: string }) => f.path);

  it('ships the builds, their types, custom-elements.json, README (with its screenshots) and LICENSE, and nothing else', () => {
    for (const needed of [
      'dist/amazon-pay-v2.js',
      'dist/amazon-pay-v2.iife.js',
      'dist/confirm.js',
      'dist/react.js',
      'dist/jsx.js',
      'dist/vue.js',
      'dist/preact.js',
      'dist/solid.js',
      'dist/types/preact.d.ts',
      'dist/types/solid.d.ts',
      'dist/node/server.js',
      'dist/node/sandbox.js',
      'dist/node/amazon/checkout.js',
      'dist/types/index.d.ts',
      'dist/types/confirm.d.ts',
      'dist/types/react.d.ts',
      'dist/types/jsx.d.ts',
      'dist/types/vue.d.ts',
      'dist/types/server/index.d.ts',
      'dist/types/sandbox/index.d.ts',
      'custom-elements.json',
      'dist/vscode.html-custom-data.json',
      'dist/web-types.json',
      'README.md',
      'LICENSE',
      'package.json',
    ]) {
      assert.ok(files.includes(needed), `${needed} is missing from the package`);
    }
    const stray = files.filter(
      (f) =>
        !/^(dist\/|docs\/[\w-]+\.md$|custom-elements\.json$|README(\.en)?\.md$|CHANGELOG\.md$|CONTRIBUTING\.md$|LICENSE$|package\.json$|demo\/screenshots\/npm\/[\w-]+\.jpg$)/.test(
          f,
        ),
    );
    assert.deepEqual(stray, []);
    assert.ok(!files.some((f) => /\.test\.|^src\/|^test\//.test(f)));
  });

  it("gives the packed README absolute image URLs (npm's page resolves no relative ones) to files it ships, and leaves the repository's README as it was", async () => {
    const before = readFileSync('README.md', 'utf8');
    const tarball = await packTarball();
    assert.equal(readFileSync('README.md', 'utf8'), before, 'postpack restored the README');
    const shipped = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' })
      .split('\n')
      .map((f) => f.replace(/^package\//, ''));
    assert.deepEqual(shipped.filter((f) => f.startsWith('README')).sort(), ['README.en.md', 'README.md'], 'the two READMEs: no copy prepack kept');
    const packedReadme = execFileSync('tar', ['-xzOf', tarball, 'package/README.md'], { encoding: 'utf8' });
    const images = [...packedReadme.matchAll(/!\[[^\]]*\]\(([^)]+)\)/g)].map((m) => m[1]);
    assert.equal(images.length, [...before.matchAll(/!\[[^\]]*\]\(/g)].length);
    const prefix = `https://cdn.jsdelivr.net/npm/${pkg.name}@${pkg.version}/`;
    for (const url of images) {
      assert.ok(url.startsWith(prefix), url);
      assert.ok(shipped.includes(url.slice(prefix.length)), `${url} is not in the tarball`);
    }
    // Links to the documents are absolute too, to files the tarball ships.
    const links = [...packedReadme.matchAll(/(?<!!)\[[^\]]*\]\(([^)#]+)\)/g)].map((m) => m[1]);
    assert.ok(
      links.some((l) => l.endsWith('/docs/browser.md')),
      links.join('\n'),
    );
    for (const url of links) {
      assert.match(url, /^https:\/\//, `a relative link in the packed README: ${url}`);
      if (url.startsWith(prefix)) assert.ok(shipped.includes(url.slice(prefix.length)), `${url} is not in the tarball`);
    }
  });

  it('points every exports entry at a shipped file', () => {
    for (const [entry, target] of Object.entries(pkg.exports as Record<string, string | Record<string, string>>)) {
      for (const file of typeof target === 'string' ? [target] : Object.values(target)) {
        assert.ok(files.includes(file.replace(/^\.\//, '')), `${entry} → ${file} is not in the package`);
      }
    }
  });

  it('imports every entry in Node without touching a DOM', async () => {
    assert.equal(typeof (globalThis as { document?: unknown }).document, 'undefined');
    for (const entry of Object.keys(pkg.exports)) {
      const specifier = entry === '.' ? 'amazon-pay-v2' : `amazon-pay-v2/${entry.slice(2)}`;
      const mod = entry.endsWith('.json') ? await import(specifier, { with: { type: 'json' } }) : await import(specifier);
      assert.ok(mod, specifier);
    }
    assert.equal(typeof (globalThis as { document?: unknown }).document, 'undefined');
    // Specifiers in variables: the package's own types exist only after the build, and the type-check runs first.
    const load = (specifier: string) => import(specifier);
    assert.equal(typeof (await load('amazon-pay-v2/server')).createAmazonPayHandler, 'function');
    assert.equal(typeof (await load('amazon-pay-v2/sandbox')).createSandbox, 'function');
    assert.equal(typeof (await load('amazon-pay-v2/react')).AmazonPayV2, 'object');
  });

  it('describes the element in custom-elements.json as shipped: module paths in dist, unions for enumerated attributes, status read-only', () => {
    const manifest = JSON.parse(readFileSync('custom-elements.json', 'utf8'));
    const paths: string[] = JSON.stringify(manifest)
      .match(/"(?:path|module)":"[^"]+"/g)!
      .map((m) => m.split(':')[1].replaceAll('"', ''));
    for (const path of new Set(paths)) assert.ok(files.includes(path), `${path} is not in the package`);
    const element = manifest.modules
      .flatMap((m: { declarations?: unknown[] }) => m.declarations ?? [])
      .find((d: { tagName?: string }) => d.tagName === 'amazon-pay-v2');
    const attribute = (name: string) => element.attributes.find((a: { name: string }) => a.name === name);
    assert.equal(attribute('mode').type.text, "'standard' | 'apb' | 'buy-now'");
    assert.equal(attribute('button-color').type.text, "'Gold' | 'LightGray' | 'DarkGray'");
    assert.match(attribute('product-type').type.text, /'Donation'/);
    assert.equal(attribute('region').type.text, "'fe' | 'na' | 'eu'");
    assert.equal(element.members.find((m: { name: string }) => m.name === 'status').readonly, true);
    assert.ok(!files.some((f) => f.endsWith('.d.ts.map')), 'no declaration maps pointing at sources that are not shipped');
  });

  it('gives editors the element from the manifest: nonce and scopes documented, VS Code custom data and web-types with every attribute and its values', () => {
    const manifest = JSON.parse(readFileSync('custom-elements.json', 'utf8'));
    const element = manifest.modules
      .flatMap((m: { declarations?: unknown[] }) => m.declarations ?? [])
      .find((d: { tagName?: string }) => d.tagName === 'amazon-pay-v2');
    const names = element.attributes.map((a: { name: string }) => a.name).filter((n: string) => n !== 'status');
    assert.ok(names.includes('nonce') && names.includes('scopes'), names.join(' '));
    const vscode = JSON.parse(readFileSync('dist/vscode.html-custom-data.json', 'utf8'));
    const tag = vscode.tags.find((t: { name: string }) => t.name === 'amazon-pay-v2');
    assert.deepEqual(
      tag.attributes.map((a: { name: string }) => a.name),
      names,
    );
    assert.deepEqual(
      tag.attributes.find((a: { name: string }) => a.name === 'mode').values.map((v: { name: string }) => v.name),
      ['standard', 'apb', 'buy-now'],
    );
    assert.equal(tag.attributes.find((a: { name: string }) => a.name === 'sandbox').valueSet, 'v');
    const webTypes = JSON.parse(readFileSync('dist/web-types.json', 'utf8'));
    const html = webTypes.contributions.html.elements[0];
    assert.equal(html.name, 'amazon-pay-v2');
    assert.deepEqual(
      html.attributes.map((a: { name: string }) => a.name),
      names,
    );
    assert.ok(html.js.events.some((e: { name: string }) => e.name === 'amazon-pay-error'));
    assert.equal(JSON.parse(readFileSync('package.json', 'utf8'))['web-types'], './dist/web-types.json');
  });
});
