// Shared by the demo pages: the header, yen formatting, the JSON helper, and "view source".
import '../src/index.ts';

export interface DemoConfig {
  mode: 'sandbox' | 'gmo-pg-test';
  merchantId: string;
  publicKeyId: string;
  storeId: string;
  sandbox: boolean;
  scriptSrc: string | null;
  onetime: { payloadJSON: string; signature: string };
  recurring: { payloadJSON: string; signature: string };
  catalog: Record<'coffee' | 'subscription', { name: string; price: number }>;
}

export const yen = (n: number) => `￥${n.toLocaleString('ja-JP')}`;

type Child = Node | string | number | null | undefined | false;

/**
 * Builds an element: attributes are set as attributes and text is added as text, never parsed as
 * HTML. The pages build everything that holds data this way (order data can come from a shopper).
 */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Record<string, string> | null = null,
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes ?? {})) el.setAttribute(name, value);
  for (const child of children) if (child !== null && child !== undefined && child !== false) el.append(child instanceof Node ? child : String(child));
  return el;
}

/** fetch + JSON, throwing the server's message on an error answer. */
export async function api<T = any>(path: string, body?: unknown): Promise<T> {
  const response = await fetch(path, body === undefined ? {} : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const json: any = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(json?.error?.message ?? `HTTP ${response.status}`);
  return json as T;
}

export const config = () => api<DemoConfig>('/demo/config');

/** The header of every page, and the source of the page itself at the bottom. */
export function frame(page: string) {
  const nav = h('nav');
  for (const [href, label] of [
    ['index.html', 'ショップ'],
    ['orders.html', '注文管理'],
    ['script-tag.html', 'scriptタグ版'],
  ]) {
    nav.append(h('a', href === page ? { href: `/${href}`, 'aria-current': 'page' } : { href: `/${href}` }, label));
  }
  const mode = h('span', { class: 'mode', id: 'mode' });
  document.body.prepend(h('header', { class: 'top' }, h('a', { class: 'brand', href: '/' }, 'amazon-pay-v2 デモストア'), nav, mode));
  void config().then((c) => {
    mode.textContent = c.mode === 'sandbox' ? 'sandbox (オフライン)' : 'GMO-PG テスト環境';
  });
  const code = h('code');
  const source = h('details', { class: 'source' }, h('summary', null, `このページのソース (${page}) — コピーして使えます`), h('pre', null, code));
  source.addEventListener('toggle', async () => {
    if (source.open && !code.textContent) code.textContent = await (await fetch(`/demo/source/${page}`)).text();
  });
  document.body.append(source);
}
