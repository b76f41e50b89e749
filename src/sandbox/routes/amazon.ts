/**
 * The stand-in for Amazon: checkout.js, checkout/initiate (the signed button payload), the
 * address and card pages, the change links of the confirm page, and Buy Now's charge permission.
 */
import { createHash, constants, verify } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ADDRESSES, CARDS } from '../fixtures.js';
import { newChargePermissionId } from '../gmo/api.js';
import { choicePage, errorPage } from '../pages.js';
import type { CheckoutSession } from '../state.js';
import { choiceIndex as index, formText, type SandboxParts, type SandboxRoutes } from './context.js';

export function amazonRoutes(r: SandboxRoutes, { base, shopId, state, publicKey, standIn }: SandboxParts): void {
  let checkoutJs: string | undefined;
  r.get('/amazon/checkout.js', (c) => {
    checkoutJs ??= readFileSync(standIn, 'utf8');
    return c.body(checkoutJs, 200, { 'content-type': 'application/javascript; charset=utf-8', 'cache-control': 'no-cache' });
  });

  // checkout.js posts the signed button payload here (Amazon's /checkout/initiate).
  r.post('/amazon/checkout/initiate', async (c) => {
    const form = await c.req.parseBody();
    const payloadJSON = formText(form.payloadJSON);
    let payload: any;
    try {
      payload = JSON.parse(payloadJSON);
    } catch {
      return c.html(errorPage('InvalidParameterValue', 'payloadJSON is not JSON.'), 400);
    }
    if (!payload || typeof payload !== 'object' || Array.isArray(payload)) {
      return c.html(errorPage('InvalidParameterValue', 'payloadJSON must be a JSON object.'), 400);
    }
    let signature: CheckoutSession['signature'] = 'not-checked';
    if (publicKey) {
      const algorithm = formText(form.algorithm, 'AMZN-PAY-RSASSA-PSS');
      const signed = `${algorithm}\n${createHash('sha256').update(payloadJSON).digest('hex')}`;
      const ok = verify(
        'sha256',
        Buffer.from(signed),
        {
          key: publicKey,
          padding: constants.RSA_PKCS1_PSS_PADDING,
          saltLength: algorithm === 'AMZN-PAY-RSASSA-PSS-V2' ? 32 : 20,
        },
        Buffer.from(formText(form.signature), 'base64'),
      );
      if (!ok) return c.html(errorPage('InvalidSignatureError', `The signature does not match the payload (${algorithm}).`), 400);
      signature = 'verified';
    }
    const details = payload.webCheckoutDetails ?? {};
    const reviewUrl = webUrl(details.checkoutReviewReturnUrl ?? details.checkoutResultReturnUrl);
    if (!reviewUrl) return c.html(errorPage('InvalidParameterValue', 'webCheckoutDetails.checkoutReviewReturnUrl must be an http(s) URL.'), 400);
    // Amazon sends a cancelled shopper only to the merchant's own pages (its registered domains);
    // here, to the origin of the review URL, so that the sandbox is no open redirect.
    const cancel = details.checkoutCancelUrl ?? form.origin_url;
    const cancelUrl = cancel === undefined ? undefined : webUrl(cancel);
    if (cancel !== undefined && details.checkoutCancelUrl !== undefined && (!cancelUrl || new URL(cancelUrl).origin !== new URL(reviewUrl).origin)) {
      return c.html(errorPage('InvalidParameterValue', 'webCheckoutDetails.checkoutCancelUrl must be on the same site as checkoutReviewReturnUrl.'), 400);
    }
    const frequency = payload.recurringMetadata?.frequency;
    const session: CheckoutSession = {
      id: crypto.randomUUID(),
      payloadJSON,
      recurring: payload.chargePermissionType === 'Recurring',
      frequency: frequency ? { unit: String(frequency.unit), value: String(frequency.value ?? '1') } : undefined,
      reviewUrl,
      // origin_url is the page the button was on, as checkout.js reports it: only believed on the shop's site.
      cancelUrl: cancelUrl && new URL(cancelUrl).origin === new URL(reviewUrl).origin ? cancelUrl : undefined,
      productType: formText(form.productType, 'PayAndShip'),
      addressIndex: 0,
      cardIndex: 0,
      signature,
      used: false,
      createdAt: Date.now(),
    };
    state.sessions.set(session.id, session);
    state.save();
    return c.html(
      choicePage({
        title: session.recurring ? 'Amazon Pay で定期購入を申し込む' : 'Amazon Pay でお支払い',
        action: `${base}/amazon/checkout/continue`,
        fields: { session: session.id },
        withAddress: session.productType !== 'PayOnly',
        withCard: true,
        addressIndex: 0,
        cardIndex: 0,
        intro: session.recurring ? 'この注文は定期的に請求されます (利用承諾)。' : undefined,
        submitLabel: '続行',
        cancelLabel: 'キャンセルしてショップに戻る',
      }),
    );
  });

  r.post('/amazon/checkout/continue', async (c) => {
    const form = await c.req.parseBody();
    const session = state.sessions.get(formText(form.session));
    if (!session) return c.html(errorPage('セッションが見つかりません', 'もう一度 Amazon Pay ボタンからお試しください。'), 404);
    if (form.action === 'cancel') return c.redirect(session.cancelUrl ?? new URL('/', session.reviewUrl).href, 303);
    choose(session, form);
    state.save();
    return c.redirect(withSession(session.reviewUrl, session.id), 303);
  });

  // bindChangeAction's links land here: change the address or the card, then back to the confirm page.
  r.get('/amazon/checkout/initiate_auth', (c) => {
    const session = state.sessions.get(c.req.query('amazonCheckoutSessionId') ?? '');
    const action = c.req.query('changeAction');
    if (!session) return c.html(errorPage('セッションが見つかりません', 'amazonCheckoutSessionId が正しくありません。'), 404);
    if (action !== 'changeAddress' && action !== 'changePayment') {
      return c.html(errorPage('InvalidParameterValue', 'changeAction must be changeAddress or changePayment.'), 400);
    }
    return c.html(
      choicePage({
        title: action === 'changeAddress' ? 'お届け先の変更' : 'お支払い方法の変更',
        action: `${base}/amazon/checkout/continue`,
        fields: { session: session.id },
        withAddress: action === 'changeAddress',
        withCard: action === 'changePayment',
        addressIndex: session.addressIndex,
        cardIndex: session.cardIndex,
        submitLabel: '変更してショップに戻る',
        cancelLabel: '変更せずに戻る',
      }),
    );
  });

  // Buy Now with an address: the buyer's Amazon address book, in the shape Amazon hands the
  // shop's handlers (onInitCheckout, onShippingAddressSelection, onCompleteCheckout).
  r.get('/amazon/buy-now/addresses', (c) => c.json(ADDRESSES.map(amazonAddress)));

  // Buy Now (renderJSButton): the stand-in's pay page asks for the charge permission Amazon would
  // hand onCompleteCheckout. One-time, for this amount (what the buyer approved), charged once by ExecTranAmazonpay.
  r.post('/amazon/buy-now/charge-permission', async (c) => {
    const input = await c.req.json().catch(() => null);
    const amount = Number(input?.amount);
    if (!input || typeof input.merchantId !== 'string' || !input.merchantId || !(Number.isInteger(amount) && amount > 0)) {
      return c.json({ error: { code: 'InvalidParameterValue', message: 'send { merchantId, amount } (a whole number above 0)' } }, 400);
    }
    const address = index(input.address, ADDRESSES.length);
    const card = index(input.card, CARDS.length);
    const permission = {
      id: newChargePermissionId(),
      shopId,
      type: 'OneTime' as const,
      status: 'Chargeable' as const,
      reasonCode: '',
      amountLimit: amount,
      charged: 0,
      addressIndex: address,
      cardIndex: card,
      buyNow: true,
      createdAt: Date.now(),
    };
    state.chargePermissions.set(permission.id, permission);
    state.save();
    const a = amazonAddress(ADDRESSES[address]);
    return c.json({
      amazonChargePermissionId: permission.id,
      amazonPayMFAReturnUrl: new URL(`${base}/amazon/buy-now/mfa-return`, c.req.url).href,
      billingAddress: a,
      ...(input.productType === 'PayAndShip' ? { shippingAddress: a } : {}),
      paymentDescriptor: CARDS[card],
      amazonPayCheckoutType: 'BuyNow',
      amazonCheckoutSessionId: crypto.randomUUID(),
    });
  });
}

/** A sandbox address as Amazon's handlers carry one. */
export function amazonAddress(a: (typeof ADDRESSES)[number]) {
  return {
    name: a.name,
    postalCode: a.postalCode,
    stateOrRegion: a.stateOrRegion,
    city: a.city,
    addressLine1: a.addressLine1,
    addressLine2: a.addressLine2,
    countryCode: 'JP',
    phoneNumber: a.phoneNumber,
  };
}

function choose(session: CheckoutSession, form: Record<string, unknown>) {
  if (form.address !== undefined) session.addressIndex = index(form.address, ADDRESSES.length);
  if (form.card !== undefined) session.cardIndex = index(form.card, CARDS.length);
}

/** `value` as an absolute http(s) URL, or undefined. */
const webUrl = (value: unknown): string | undefined => {
  if (typeof value !== 'string' || !URL.canParse(value)) return undefined;
  const url = new URL(value);
  return url.protocol === 'https:' || url.protocol === 'http:' ? url.href : undefined;
};

const withSession = (url: string, id: string) => {
  const u = new URL(url);
  u.searchParams.set('amazonCheckoutSessionId', id);
  return u.href;
};
