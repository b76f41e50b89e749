/**
 * The sandbox's HTML: a small stand-in for Amazon's sign-in / address / payment pages, and the
 * auto-submitting forms GMO-PG uses to send the shopper on. Japanese, as the shoppers are.
 */
import { ADDRESSES, BUYER, CARDS } from './fixtures.js';

export const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const STYLE = `
  body{font:15px/1.6 "Noto Sans JP Variable",system-ui,"Hiragino Sans","Noto Sans JP",sans-serif;margin:0;background:#f3f3f3;color:#0f1111}
  header{background:#232f3e;color:#fff;padding:.6rem 1.2rem;font-weight:700;letter-spacing:.02em}
  header small{font-weight:400;color:#febd69;margin-left:.5rem}
  main{max-width:560px;margin:1.5rem auto;background:#fff;border-radius:8px;padding:1.2rem 1.5rem;box-shadow:0 1px 3px #0002}
  fieldset{border:1px solid #d5d9d9;border-radius:8px;margin:1rem 0;padding:.6rem 1rem}
  legend{font-weight:700;padding:0 .3rem}
  label{display:block;padding:.3rem 0;cursor:pointer}
  .amount{font-size:1.3rem;font-weight:700}
  .actions{display:flex;gap:.8rem;margin-top:1.2rem;flex-wrap:wrap}
  button{font:inherit;border-radius:20px;padding:.55rem 1.4rem;border:1px solid #888c8c;background:#fff;cursor:pointer}
  button.primary{background:#ffd814;border-color:#fcd200;font-weight:700}
  .note{color:#565959;font-size:.85rem}
  .error{color:#b12704}`;

export function page(title: string, body: string, head = ''): string {
  return `<!doctype html><html lang="ja"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(title)}</title><style>${STYLE}</style>${head}</head>
<body><header>amazon pay<small>sandbox</small></header><main>${body}</main></body></html>`;
}

const hidden = (fields: Record<string, string>) =>
  Object.entries(fields)
    .map(([k, v]) => `<input type="hidden" name="${escapeHtml(k)}" value="${escapeHtml(v)}">`)
    .join('');

const addressText = (i: number) => {
  const a = ADDRESSES[i];
  return `${a.name} 〒${a.postalCode} ${a.stateOrRegion}${a.city}${a.addressLine1} ${a.addressLine2}`;
};

/** Sign-in (as the sandbox buyer) and the choice of address and card. */
export function choicePage(o: {
  title: string;
  action: string;
  fields: Record<string, string>;
  withAddress: boolean;
  withCard: boolean;
  addressIndex: number;
  cardIndex: number;
  amount?: string;
  submitLabel: string;
  cancelLabel: string;
  intro?: string;
}): string {
  const addresses = ADDRESSES.map(
    (_, i) => `<label><input type="radio" name="address" value="${i}"${i === o.addressIndex ? ' checked' : ''}> ${escapeHtml(addressText(i))}</label>`,
  ).join('');
  const cards = CARDS.map((c, i) => `<label><input type="radio" name="card" value="${i}"${i === o.cardIndex ? ' checked' : ''}> ${escapeHtml(c)}</label>`).join(
    '',
  );
  return page(
    o.title,
    `<h1>${escapeHtml(o.title)}</h1>
<p>${escapeHtml(BUYER.name)} さん (${escapeHtml(BUYER.email)}) としてログインしています。<span class="note">sandbox のテスト購入者</span></p>
${o.intro ? `<p>${escapeHtml(o.intro)}</p>` : ''}
${o.amount ? `<p>お支払い金額 <span class="amount" data-testid="amount">${escapeHtml(o.amount)}</span></p>` : ''}
<form method="post" action="${escapeHtml(o.action)}">${hidden(o.fields)}
${o.withAddress ? `<fieldset><legend>お届け先</legend>${addresses}</fieldset>` : ''}
${o.withCard ? `<fieldset><legend>お支払い方法</legend>${cards}</fieldset>` : ''}
<div class="actions"><button class="primary" name="action" value="continue">${escapeHtml(o.submitLabel)}</button>
<button name="action" value="cancel">${escapeHtml(o.cancelLabel)}</button></div></form>`,
  );
}

/** A page whose form posts itself on load, as GMO-PG's pages do (a button if scripts are off). */
export function autoPostPage(title: string, action: string, fields: Record<string, string>, message: string): string {
  return page(
    title,
    `<p>${escapeHtml(message)}</p>
<form id="next" method="post" action="${escapeHtml(action)}">${hidden(fields)}<noscript><button class="primary">次へ</button></noscript></form>
<script>document.getElementById('next').submit()</script>`,
  );
}

export function errorPage(title: string, message: string): string {
  return page(title, `<h1 class="error">${escapeHtml(title)}</h1><p>${escapeHtml(message)}</p>`);
}

export const yen = (n: number) => `￥${n.toLocaleString('ja-JP')}`;
