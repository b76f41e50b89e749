/**
 * GMO-PG's browser leg: AmazonpayStart (the shopper arrives with AccessID and Token), the stand-in
 * Amazon's pay page, and the return to the shop's RetURL with the result and its CheckString.
 */
import type { Context } from 'hono';
import { SANDBOX_CODES } from '../../server/client/error-codes.js';
import { ADDRESSES, CARDS } from '../fixtures.js';
import { checkStringOf, completePayment } from '../gmo/api.js';
import { autoPostPage, choicePage, errorPage, yen } from '../pages.js';
import type { Trade } from '../state.js';
import { choiceIndex as index, formText, type SandboxParts, type SandboxRoutes } from './context.js';

export function gmoStartRoutes(r: SandboxRoutes, { base, state, faults, gmo: context }: SandboxParts): void {
  r.post('/payment/AmazonpayStart.idPass', async (c) => {
    const form = await c.req.parseBody();
    const trade = state.trades.get(formText(form.AccessID));
    if (!trade || !trade.token || trade.token !== form.Token || trade.status !== 'REQSUCCESS') {
      if (trade?.retUrl && trade.status === 'REQSUCCESS') return resultPage(c, trade, SANDBOX_CODES.tokenInvalid);
      return c.html(
        errorPage('お支払い手続きを開始できません', 'AccessID または Token が正しくないか、既に使用されています。ショップに戻ってやり直してください。'),
        400,
      );
    }
    if (Date.now() > (trade.startLimit ?? 0)) {
      trade.token = undefined;
      state.save();
      return resultPage(c, trade, SANDBOX_CODES.tokenInvalid);
    }
    const session = trade.checkoutSessionId ? state.sessions.get(trade.checkoutSessionId) : undefined;
    const apb = trade.flow === 'apb';
    return c.html(
      choicePage({
        title: apb ? 'Amazon Pay で今すぐ支払う' : 'Amazon Pay でお支払いを確定',
        action: `${base}/amazon/pay`,
        fields: { AccessID: trade.accessId, Token: trade.token },
        withAddress: apb && trade.apbType === 'PayAndShip',
        withCard: apb,
        addressIndex: session?.addressIndex ?? 0,
        cardIndex: session?.cardIndex ?? 0,
        amount: yen(trade.amount + trade.tax),
        intro: trade.description,
        submitLabel: apb ? '今すぐ支払う' : '支払う',
        cancelLabel: 'キャンセルしてショップに戻る',
      }),
    );
  });

  // The shopper pays or cancels on the stand-in Amazon page; GMO-PG then returns to RetURL.
  r.post('/amazon/pay', async (c) => {
    const form = await c.req.parseBody();
    const trade = state.trades.get(formText(form.AccessID));
    if (!trade || !trade.token || trade.token !== form.Token || trade.status !== 'REQSUCCESS') {
      return c.html(errorPage('お支払いを完了できません', 'この支払い手続きは既に完了しているか、無効です。'), 400);
    }
    const choice = { addressIndex: index(form.address, ADDRESSES.length), cardIndex: index(form.card, CARDS.length) };
    const outcome = form.action === 'cancel' ? 'cancelled' : faults.takeDecline() ? 'declined' : 'paid';
    completePayment(context(c), trade, outcome, choice);
    return resultPage(c, trade);
  });

  /** GMO-PG's return to the shop: the browser POSTs the result to RetURL. */
  function resultPage(c: Context, trade: Trade, errInfo?: string) {
    const failed = errInfo ?? (trade.errInfo || undefined);
    const fields: Record<string, string> = {
      ShopID: trade.shopId,
      OrderID: trade.orderId,
      Status: trade.status,
      TranDate: trade.tranDate,
      AmazonChargePermissionID: trade.chargePermissionId,
      CheckString: checkStringOf(context(c), trade),
    };
    if (failed) Object.assign(fields, { ErrCode: failed.slice(0, 3), ErrInfo: failed });
    return c.html(autoPostPage('ショップに戻ります', trade.retUrl!, fields, 'ショップのページに戻ります…'));
  }
}
