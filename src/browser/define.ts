import { AmazonPayV2 } from './amazon-pay-v2.js';

/**
 * Defines `<amazon-pay-v2>` when there is a registry (not in Node) and the tag is still free.
 *
 * Each entry that promises the element (index.ts, react.ts) calls this at its own top level. The call
 * must stay in the entry file: package.json's `sideEffects` lists the entries, and a production
 * bundler (Vite, esbuild, webpack) drops an unlisted chunk that is imported only for its effect —
 * as it did when the call sat in a shared, hash-named chunk.
 */
export function defineAmazonPayV2(): void {
  if (typeof customElements != 'undefined' && !customElements.get('amazon-pay-v2')) {
    customElements.define('amazon-pay-v2', AmazonPayV2);
  }
}
