// `cem analyze` reads the browser sources only: the server and sandbox are not custom elements.
// The manifest ships in the package, where src/ does not: every module path is rewritten to the
// file that carries it (the element and its helpers are bundled into dist/amazon-pay-v2.js, the
// confirm-page helpers into dist/confirm.js). Enumerated types are written out as their unions, so
// that editors offer the values (the analyzer keeps alias names such as AmazonPayMode).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';

const aliases = new Map();
for (const file of ['src/browser/amazon-pay-v2.ts', 'src/shared/checkout-js-urls.ts']) {
  for (const m of readFileSync(file, 'utf8').matchAll(/export type (\w+) = ((?:'[^']*'(?: \| )?)+);/g)) aliases.set(m[1], m[2]);
}
const shipped = (path) => (/(^|\/)(src\/)?browser\/confirm(\.ts|\.js)$|(^|\/)confirm(\.ts|\.js)$/.test(path) ? 'dist/confirm.js' : 'dist/amazon-pay-v2.js');

/** @type {import('@custom-elements-manifest/analyzer').Plugin} */
const shippedPaths = {
  name: 'shipped-paths',
  packageLinkPhase({ customElementsManifest }) {
    const visit = (node) => {
      if (Array.isArray(node)) return node.forEach(visit);
      if (!node || typeof node !== 'object') return;
      if (typeof node.text === 'string' && aliases.has(node.text)) node.text = aliases.get(node.text);
      for (const [key, value] of Object.entries(node)) {
        // Also a re-export's relative module ('./light-dom.js' from settings.ts): bundled like the rest.
        if ((key === 'path' || key === 'module') && typeof value === 'string' && /(^|\/)(src\/)?(browser\/|index)|^\.\//.test(value))
          node[key] = shipped(value);
        else visit(value);
      }
    };
    visit(customElementsManifest.modules);
    // Several sources now share a path: keep one module per shipped file, declarations and exports merged.
    const byPath = new Map();
    for (const m of customElementsManifest.modules) {
      const seen = byPath.get(m.path);
      if (!seen) byPath.set(m.path, { ...m, declarations: [...(m.declarations ?? [])], exports: [...(m.exports ?? [])] });
      else {
        seen.declarations.push(...(m.declarations ?? []));
        seen.exports.push(...(m.exports ?? []));
      }
    }
    customElementsManifest.modules = [...byPath.values()];
  },
};

/**
 * Editor data from the manifest, so that plain HTML gets completion and hover docs too:
 * dist/vscode.html-custom-data.json (VS Code's `html.customData`) and dist/web-types.json (JetBrains,
 * found through package.json's `web-types`). Values of a union become the attribute's choices.
 */
const editorData = {
  name: 'editor-data',
  packageLinkPhase({ customElementsManifest }) {
    const elements = customElementsManifest.modules.flatMap((m) => m.declarations ?? []).filter((d) => d.tagName);
    const choices = (type) => [...(type?.text ?? '').matchAll(/'([^']+)'/g)].map((m) => m[1]);
    const attributes = (el) => (el.attributes ?? []).filter((a) => a.name !== 'status'); // status is the element's to set
    const vscode = {
      version: 1.1,
      tags: elements.map((el) => ({
        name: el.tagName,
        description: el.summary ?? el.description,
        attributes: attributes(el).map((a) => ({
          name: a.name,
          description: a.description,
          ...(a.type?.text === 'boolean' ? { valueSet: 'v' } : {}),
          ...(choices(a.type).length ? { values: choices(a.type).map((name) => ({ name })) } : {}),
        })),
      })),
    };
    const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
    const webTypes = {
      $schema: 'https://json.schemastore.org/web-types',
      name: pkg.name,
      version: pkg.version,
      'description-markup': 'markdown',
      contributions: {
        html: {
          elements: elements.map((el) => ({
            name: el.tagName,
            description: el.summary ?? el.description,
            attributes: attributes(el).map((a) => ({
              name: a.name,
              description: a.description,
              value:
                a.type?.text === 'boolean'
                  ? { type: 'boolean', required: false }
                  : choices(a.type).length
                    ? { type: 'enum', required: true }
                    : { type: 'string', required: true },
              ...(choices(a.type).length ? { values: choices(a.type).map((name) => ({ name })) } : {}),
            })),
            js: { events: (el.events ?? []).map((e) => ({ name: e.name, description: e.description })) },
          })),
        },
      },
    };
    mkdirSync('dist', { recursive: true });
    writeFileSync('dist/vscode.html-custom-data.json', JSON.stringify(vscode, null, 2) + '\n');
    writeFileSync('dist/web-types.json', JSON.stringify(webTypes, null, 2) + '\n');
  },
};

export default {
  globs: ['src/browser/**/*.ts', 'src/index.ts'],
  outdir: '.',
  litelement: true,
  plugins: [shippedPaths, editorData],
};
