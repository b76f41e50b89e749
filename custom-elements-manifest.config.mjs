// `cem analyze` reads the browser sources only: the server and sandbox are not custom elements.
// The manifest ships in the package, where src/ does not: every module path is rewritten to the
// file that carries it (the element and its helpers are bundled into dist/amazon-pay-v2.js, the
// confirm-page helpers into dist/confirm.js). Enumerated types are written out as their unions, so
// that editors offer the values (the analyzer keeps alias names such as AmazonPayMode).
import { readFileSync } from 'node:fs';

const aliases = new Map();
for (const file of ['src/browser/amazon-pay-v2.ts', 'src/shared/checkout-js-urls.ts']) {
  for (const m of readFileSync(file, 'utf8').matchAll(/export type (\w+) = ((?:'[^']*'(?: \| )?)+);/g)) aliases.set(m[1], m[2]);
}
const shipped = (path) =>
  /(^|\/)(src\/)?browser\/confirm(\.ts|\.js)$|(^|\/)confirm(\.ts|\.js)$/.test(path) ? 'dist/confirm.js' : 'dist/amazon-pay-v2.js';

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
        if ((key === 'path' || key === 'module') && typeof value === 'string' && /(^|\/)(src\/)?(browser\/|index)|^\.\//.test(value)) node[key] = shipped(value);
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

export default {
  globs: ['src/browser/**/*.ts', 'src/index.ts'],
  outdir: '.',
  litelement: true,
  plugins: [shippedPaths],
};
