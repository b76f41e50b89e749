/**
 * amazon-pay-v2/vue: type-checked `<amazon-pay-v2>` in Vue templates (Volar / vue-tsc).
 * Types only: `import type {} from 'amazon-pay-v2/vue'` once, e.g. in `env.d.ts`. Vue must be told
 * the tag is a custom element: `compilerOptions.isCustomElement: (tag) => tag === 'amazon-pay-v2'`.
 */
import type { DefineComponent } from 'vue';
import type { AmazonPayEventProps } from './browser/events.js';
import type { AmazonPayV2Attributes } from './jsx.js';

/** `merchant-id` → `merchantId`: Vue declares props in camelCase and matches kebab-case in templates to them. */
type Camel<S extends string> = S extends `${infer Head}-${infer Tail}` ? `${Head}${Capitalize<Camel<Tail>>}` : S;
type CamelKeys<T> = { [K in keyof T as K extends string ? Camel<K> : K]: T[K] };

/**
 * Props Vue binds, in camelCase as Vue declares them (templates may write `merchant-id` or
 * `merchantId`; with strictTemplates both are checked), plus the payload as a property.
 */
export type AmazonPayV2VueProps = CamelKeys<Omit<AmazonPayV2Attributes, 'children' | 'key' | 'ref' | 'className' | 'style' | 'class'>> &
  AmazonPayEventProps & { payloadJson?: string };

declare module 'vue' {
  interface GlobalComponents {
    'amazon-pay-v2': DefineComponent<AmazonPayV2VueProps>;
  }
}

export {};
