// Shared by the demo pages: the header, yen formatting, the JSON helper, and "view source".
import '../src/index.ts';

export interface DemoConfig {
  mode: 'sandbox' | 'gmo-pg-test';
  merchantId: string;
  publicKeyId: string;
  sandbox: boolean;
  scriptSrc: string | null;
  onetime: { payloadJSON: string; signature: string };
  recurring: { payloadJSON: string; signature: string };
  catalog: Record<'coffee' | 'subscription', { name: string; price: number }>;
}

export const yen = (n: number) => `￥${n.toLocaleString('ja-JP')}`;

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
  const nav = [
    ['index.html', 'ショップ'],
    ['orders.html', '注文管理'],
    ['script-tag.html', 'scriptタグ版'],
  ]
    .map(([href, label]) => `<a href="/${href}"${href === page ? ' aria-current="page"' : ''}>${label}</a>`)
    .join('');
  document.body.insertAdjacentHTML(
    'afterbegin',
    `<header class="top"><a class="brand" href="/">amazon-pay-v2 デモストア</a><nav>${nav}</nav><span class="mode" id="mode"></span></header>`,
  );
  void config().then((c) => {
    document.getElementById('mode')!.textContent = c.mode === 'sandbox' ? 'sandbox (オフライン)' : 'GMO-PG テスト環境';
  });
  const source = document.createElement('details');
  source.className = 'source';
  source.innerHTML = `<summary>このページのソース (${page}) — コピーして使えます</summary><pre><code></code></pre>`;
  source.addEventListener('toggle', async () => {
    const code = source.querySelector('code')!;
    if (source.open && !code.textContent) code.textContent = await (await fetch(`/demo/source/${page}`)).text();
  });
  document.body.append(source);
}
