// The model test's commands: what shoppers, Amazon, GMO-PG, the operator and the machine do to a
// running shop, in random order (fast-check's model-based testing). Each command checks at once
// what must hold whatever else happened (the shop answers every request with a status it documents,
// and never dies by itself); where the money stands is checked when all is quiet (invariants.ts).
import fc from 'fast-check';
import { amazonCheckout, formFields, postForm } from '../node/support/servers.js';
import type { World } from './world.js';

/** One attempt to pay: the amount is unique in the world, so that a trade at GMO-PG names its attempt. */
export interface Intent {
  kind: 'apb' | 'session' | 'recurring' | 'buy-now' | 'charge';
  amount: number;
  tax: number;
  orderId?: string;
  /** GMO-PG's result form the shopper's browser posts to RetURL: kept to replay and to forge. */
  retUrl?: { action: string; fields: Record<string, string> };
  /** Buy Now: the total the buyer approved on Amazon's screen (the charge permission's limit). */
  approved?: number;
}

/** The model: what this sequence did. The truth is GMO-PG's, read at the end. */
export interface Model {
  intents: Intent[];
}

/** What the commands act on; it outlives one sequence (the world, and every attempt made in it). */
export interface Real {
  world: World;
  /** Every attempt in the world, by amount. */
  intents: Map<number, Intent>;
  /** OrderIDs retention removed. */
  purged: Set<string>;
  nextAmount(): number;
}

type Cmd = fc.AsyncCommand<Model, Real>;

/** A violation: something the shop must never do, seen at once. */
export class Violation extends Error {
  override name = 'Violation';
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The shop's answer, or a Violation if it did not answer at all (it died, or hung up). */
async function call(world: World, what: string, request: () => Promise<Response>): Promise<Response> {
  try {
    return await request();
  } catch (error) {
    throw new Violation(`${what}: the shop did not answer (${(error as Error).message}); its log: ${world.log().slice(-1500)}`);
  }
}

function expectStatus(what: string, response: Response, allowed: number[], body?: unknown) {
  if (!allowed.includes(response.status)) throw new Violation(`${what}: HTTP ${response.status} (allowed ${allowed.join(', ')}): ${JSON.stringify(body)}`);
}

const json = (world: World, cart: object) => ({ 'content-type': 'application/json', origin: world.origin, 'x-test-cart': JSON.stringify(cart) });

function newIntent(m: Model, r: Real, kind: Intent['kind']): Intent {
  const amount = r.nextAmount();
  const intent: Intent = { kind, amount, tax: amount % 3 === 0 ? Math.floor(amount / 10) : 0 };
  m.intents.push(intent);
  r.intents.set(amount, intent);
  return intent;
}

const cartOf = (i: Intent) => ({ amount: i.amount, tax: i.tax, ...(i.kind === 'recurring' ? { frequency: { unit: 'Month', value: 1 } } : {}) });

/** A shopper's checkout: the button (APB) or Amazon's session, AmazonpayStart, Amazon's page, and maybe RetURL. */
class Checkout implements Cmd {
  constructor(
    readonly kind: 'apb' | 'session' | 'recurring',
    readonly action: 'pay' | 'decline' | 'cancel' | 'leave',
    readonly returns: boolean,
  ) {}
  check = () => true;
  async run(m: Model, r: Real) {
    const { world } = r;
    const intent = newIntent(m, r, this.kind);
    let body: Record<string, unknown> = {};
    if (this.kind !== 'apb') {
      const payload = {
        webCheckoutDetails: { checkoutReviewReturnUrl: `${world.origin}/confirm` },
        storeId: 'amzn1.application-oa2-client.model',
        ...(this.kind === 'recurring' ? { chargePermissionType: 'Recurring', recurringMetadata: { frequency: { unit: 'Month', value: '1' } } } : {}),
      };
      body = { amazonCheckoutSessionId: (await amazonCheckout(world.sandbox, payload)).sessionId };
    }
    const response = await call(world, 'POST /checkout', () =>
      fetch(`${world.api}/checkout`, { method: 'POST', headers: json(world, cartOf(intent)), body: JSON.stringify(body) }),
    );
    const answer: any = await response.json();
    expectStatus('POST /checkout', response, [200, 409, 502, 503, 504], answer);
    intent.orderId = answer.orderId ?? answer.error?.orderId;
    if (response.status !== 200 || this.action === 'leave') return;
    const start = await postForm(answer.startUrl, { AccessID: answer.accessId, Token: answer.token });
    const page = formFields(await start.text());
    if (!page.action) return; // the token was refused (expired): nothing to pay
    if (this.action === 'decline') world.sandbox.faults.declineNext();
    const result = formFields(
      await (
        await postForm(new URL(page.action, world.sandbox.origin).href, { ...page.fields, action: this.action === 'cancel' ? 'cancel' : 'continue' })
      ).text(),
    );
    if (!result.action) return;
    intent.retUrl = result;
    if (this.returns) await returnTo(world, result);
  }
  toString = () => `Checkout(${this.kind}, ${this.action}, ${this.returns ? 'RetURL' : 'no RetURL'})`;
}

async function returnTo(world: World, form: { action: string; fields: Record<string, string> }) {
  const response = await call(world, 'POST /result', () => postForm(form.action, form.fields));
  expectStatus('POST /result', response, [303], await response.text());
}

/** Buy Now: the quote for Amazon's screen, the buyer's approval there, and the completion (maybe with a changed cart). */
class BuyNow implements Cmd {
  constructor(
    readonly outcome: 'pay' | 'decline' | 'mfa',
    readonly cartChanges: boolean,
  ) {}
  check = () => true;
  async run(m: Model, r: Real) {
    const { world } = r;
    const intent = newIntent(m, r, 'buy-now');
    const init = await call(world, 'POST /buy-now init', () =>
      fetch(`${world.api}/buy-now`, { method: 'POST', headers: json(world, cartOf(intent)), body: '{"step":"init"}' }),
    );
    const quote: any = await init.json();
    expectStatus('POST /buy-now init', init, [200, 503], quote);
    if (init.status !== 200) return;
    intent.orderId = quote.orderId;
    intent.approved = Number(quote.totalOrderAmount.amount);
    if (intent.approved !== intent.amount + intent.tax) throw new Violation(`Buy Now quoted ${intent.approved} for a cart of ${intent.amount + intent.tax}`);
    const made = await fetch(`${world.sandbox.origin}/amazon/buy-now/charge-permission`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ merchantId: 'A2MODEL', amount: intent.approved }),
    });
    const amazon = (await made.json()) as { amazonChargePermissionId: string; amazonPayMFAReturnUrl: string };
    if (this.outcome === 'decline') world.sandbox.faults.declineNext();
    if (this.outcome === 'mfa') world.sandbox.faults.authenticateNext();
    // A changed cart: an amount nobody quoted to Amazon. It must never be authorized.
    const cart = this.cartChanges ? { amount: r.nextAmount() + 1_000_000, tax: 0 } : cartOf(intent);
    const complete = await call(world, 'POST /buy-now complete', () =>
      fetch(`${world.api}/buy-now`, {
        method: 'POST',
        headers: json(world, cart),
        body: JSON.stringify({ step: 'complete', orderId: quote.orderId, ...amazon }),
      }),
    );
    const answer: any = await complete.json();
    expectStatus('POST /buy-now complete', complete, [200, 503], answer);
    if (complete.status === 200 && !['success', 'decline', 'error'].includes(answer.status))
      throw new Violation(`Buy Now answered Amazon ${JSON.stringify(answer)}`);
    if (this.cartChanges && answer.status === 'success') throw new Violation(`Buy Now with a changed cart answered success: ${JSON.stringify(answer)}`);
  }
  toString = () => `BuyNow(${this.outcome}${this.cartChanges ? ', cart changed' : ''})`;
}

/** The buyer passes (or fails) Amazon's authentication for a Buy Now payment that waits for it. */
class Authenticate implements Cmd {
  constructor(
    readonly pick: number,
    readonly passes: boolean,
  ) {}
  check = (m: Readonly<Model>) => m.intents.some((i) => i.kind === 'buy-now' && i.orderId);
  async run(m: Model, r: Real) {
    const candidates = m.intents.filter((i) => i.kind === 'buy-now' && i.orderId);
    const intent = candidates[this.pick % candidates.length];
    try {
      r.world.sandbox.authenticate(intent.orderId!, this.passes ? 'paid' : 'declined');
    } catch {
      /* not waiting for the buyer: nothing to do */
    }
  }
  toString = () => `Authenticate(#${this.pick}, ${this.passes ? 'passes' : 'fails'})`;
}

/** GMO-PG's result form posted again (a reload, a double submit), or edited by the shopper. */
class RetUrlAgain implements Cmd {
  constructor(
    readonly pick: number,
    readonly how: 'replay' | 'paid-status' | 'bad-checkstring' | 'markup-errinfo',
  ) {}
  check = (m: Readonly<Model>) => m.intents.some((i) => i.retUrl);
  async run(m: Model, r: Real) {
    const forms = m.intents.filter((i) => i.retUrl);
    const { action, fields } = forms[this.pick % forms.length].retUrl!;
    const edited = { ...fields };
    if (this.how === 'paid-status') Object.assign(edited, { Status: 'AUTH', ErrCode: '', ErrInfo: '' });
    if (this.how === 'bad-checkstring') edited.CheckString = 'f'.repeat(32);
    if (this.how === 'markup-errinfo') Object.assign(edited, { ErrCode: 'E01', ErrInfo: '<img src=x onerror=alert(1)>' });
    await returnTo(r.world, { action, fields: edited });
  }
  toString = () => `RetURL(#${this.pick}, ${this.how})`;
}

/** A result notification: GMO-PG's, late, repeated or out of order, or anyone's (it is only a hint). */
class Notify implements Cmd {
  constructor(
    readonly pick: number,
    readonly status: string,
  ) {}
  check = (m: Readonly<Model>) => m.intents.some((i) => i.orderId);
  async run(m: Model, r: Real) {
    const known = m.intents.filter((i) => i.orderId);
    const orderId = known[this.pick % known.length].orderId!;
    const response = await call(r.world, 'POST /notify', () =>
      fetch(`${r.world.api}/notify`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: `ShopID=${r.world.sandbox.shopId}&OrderID=${orderId}&Status=${this.status}&PayType=38`,
      }),
    );
    const text = await response.text();
    if (response.status !== 200 || text !== '0') throw new Violation(`POST /notify answered HTTP ${response.status} ${text}`);
  }
  toString = () => `Notify(#${this.pick}, ${this.status})`;
}

/** GMO-PG's own notifications lost on the way. */
class DropNotifications implements Cmd {
  constructor(readonly count: number) {}
  check = () => true;
  async run(_m: Model, r: Real) {
    r.world.sandbox.faults.dropNotifications(this.count);
    r.world.figures.faults++;
  }
  toString = () => `DropNotifications(${this.count})`;
}

/** The operator, on an order this sequence knows: GMO-PG may refuse, and that is an answer (409). */
class Operate implements Cmd {
  constructor(
    readonly op: 'capture' | 'cancel' | 'cancel-authorization' | 'refund' | 'refund-part' | 'change',
    readonly pick: number,
  ) {}
  check = (m: Readonly<Model>) => m.intents.some((i) => i.orderId);
  async run(m: Model, r: Real) {
    const known = m.intents.filter((i) => i.orderId);
    const intent = known[this.pick % known.length];
    const body =
      this.op === 'change'
        ? { orderId: intent.orderId, amount: Math.max(1, Math.floor(intent.amount * 0.8)) }
        : this.op === 'refund-part'
          ? { orderId: intent.orderId, amount: Math.max(1, Math.floor(intent.amount / 3)) }
          : this.op === 'cancel-authorization'
            ? { orderId: intent.orderId, only: 'authorization' }
            : { orderId: intent.orderId };
    const name = this.op === 'refund-part' ? 'refund' : this.op === 'cancel-authorization' ? 'cancel' : this.op;
    const { status, json: answer } = await operate(r.world, name, body);
    if (status !== 200 && status !== 409) throw new Violation(`${name}: HTTP ${status} ${JSON.stringify(answer)}`);
  }
  toString = () => `Operate(${this.op}, #${this.pick})`;
}

async function operate(world: World, name: string, body: object = {}) {
  try {
    return await world.op(name, body);
  } catch (error) {
    throw new Violation(`${name}: the shop did not answer (${(error as Error).message}); its log: ${world.log().slice(-1500)}`);
  }
}

/** 随時決済 on a consent (利用承諾) this sequence made. */
class Charge implements Cmd {
  constructor(readonly pick: number) {}
  check = (m: Readonly<Model>) => m.intents.some((i) => i.kind === 'recurring' && i.orderId);
  async run(m: Model, r: Real) {
    const consents = m.intents.filter((i) => i.kind === 'recurring' && i.orderId);
    const consent = consents[this.pick % consents.length];
    const intent = newIntent(m, r, 'charge');
    const { status, json: answer } = await operate(r.world, 'charge', { consentOrderId: consent.orderId, amount: intent.amount, tax: intent.tax });
    if (status !== 200 && status !== 409) throw new Violation(`charge: HTTP ${status} ${JSON.stringify(answer)}`);
    intent.orderId = answer.orderId;
  }
  toString = () => `Charge(consent #${this.pick})`;
}

/** The sweeper, as cron runs it: with or without abandoning what is still unpaid. */
class Sweep implements Cmd {
  constructor(readonly abandon: boolean) {}
  check = () => true;
  async run(_m: Model, r: Real) {
    const { status, json: answer } = await operate(r.world, 'sweep', { graceMs: 0, abandonAfterMs: this.abandon ? 0 : 3_600_000 });
    if (status !== 200) throw new Violation(`sweep: HTTP ${status} ${JSON.stringify(answer)}`);
  }
  toString = () => `Sweep(${this.abandon ? 'abandon' : 'keep'})`;
}

/** Retention: everything it may remove, whatever its age. */
class Purge implements Cmd {
  check = () => true;
  async run(_m: Model, r: Real) {
    const { status, json: answer } = await operate(r.world, 'purge', {});
    if (status !== 200) throw new Violation(`purge: HTTP ${status} ${JSON.stringify(answer)}`);
    for (const id of answer.removed as string[]) r.purged.add(id);
  }
  toString = () => 'Purge()';
}

/** kill -9 of the shop, while a checkout or a Buy Now completion is on its way (or not), then a restart. */
class Crash implements Cmd {
  constructor(
    readonly during: 'checkout' | 'buy-now' | 'nothing',
    readonly afterMs: number,
  ) {}
  check = () => true;
  async run(m: Model, r: Real) {
    const { world } = r;
    let inFlight: Promise<unknown> = Promise.resolve();
    if (this.during === 'checkout') {
      const intent = newIntent(m, r, 'apb');
      inFlight = fetch(`${world.api}/checkout`, { method: 'POST', headers: json(world, cartOf(intent)), body: '{}' })
        .then((res) => res.json())
        .then(
          (a: any) => (intent.orderId = a.orderId ?? a.error?.orderId),
          () => {},
        );
    } else if (this.during === 'buy-now') {
      inFlight = new BuyNow('pay', false).run(m, r).catch(() => {}); // its answer may be cut by the crash
    }
    await sleep(this.afterMs);
    await world.kill();
    world.figures.crashes++;
    await inFlight;
    await world.start();
  }
  toString = () => `Crash(during ${this.during}, after ${this.afterMs} ms)`;
}

/** PostgreSQL restarted (pg_ctl stop -m fast) or frozen (SIGSTOP) while a shopper checks out. */
class DatabaseOutage implements Cmd {
  constructor(readonly how: 'restart' | 'freeze') {}
  check = () => true;
  async run(m: Model, r: Real) {
    const { world } = r;
    const pg = world.pg;
    if (!pg) return;
    world.figures.outages++;
    if (this.how === 'restart') pg.shutDown();
    else pg.freeze();
    try {
      const intent = newIntent(m, r, 'apb');
      const response = await call(world, 'POST /checkout (database away)', () =>
        fetch(`${world.api}/checkout`, { method: 'POST', headers: json(world, cartOf(intent)), body: '{}' }),
      );
      const answer: any = await response.json();
      expectStatus('POST /checkout (database away)', response, [503], answer);
      intent.orderId = answer.error?.orderId;
    } finally {
      if (this.how === 'restart') pg.startUp();
      else pg.thaw();
    }
  }
  toString = () => `DatabaseOutage(${this.how})`;
}

const APIS = ['EntryTranAmazonpay', 'ExecTranAmazonpay', 'SearchTradeMulti', 'AmazonpaySales', 'AmazonpayCancel', 'AmazonpayChange'] as const;

/** One GMO-PG fault, armed for the next call of an API. */
class GmoFault implements Cmd {
  constructor(
    readonly api: (typeof APIS)[number],
    readonly kind: 'delay' | 'hang' | 'cut' | 'cut-after' | 'busy' | 'rate-limit',
  ) {}
  check = () => true;
  async run(_m: Model, r: Real) {
    const { faults } = r.world.sandbox;
    r.world.figures.faults++;
    if (this.kind === 'delay') faults.delayNext(this.api, 150);
    if (this.kind === 'hang') faults.holdAnswerNext(this.api, r.world.gmoTimeoutMs + 300); // GMO-PG acts; the answer comes after the client gave up
    if (this.kind === 'cut') faults.cutNext(this.api);
    if (this.kind === 'cut-after') faults.cutNext(this.api, { processed: true });
    if (this.kind === 'busy') faults.failNext(this.api, 'E90000001');
    if (this.kind === 'rate-limit') faults.failNext(this.api, 'E92000001', 2);
  }
  toString = () => `GmoFault(${this.api}, ${this.kind})`;
}

const pick = fc.nat({ max: 50 });

/** The commands, weighted: shoppers most, faults often, crashes and outages now and then. */
export function commandArbitraries(kind: 'pglite' | 'postgres'): fc.Arbitrary<Cmd>[] {
  const arbs: fc.Arbitrary<Cmd>[] = [
    fc
      .tuple(fc.constantFrom('apb', 'session', 'recurring'), fc.constantFrom('pay', 'pay', 'decline', 'cancel', 'leave'), fc.boolean())
      .map(([k, a, ret]) => new Checkout(k as never, a as never, ret)),
    fc
      .tuple(fc.constantFrom('apb', 'session', 'recurring'), fc.constant('pay'), fc.constant(true))
      .map(([k, a, ret]) => new Checkout(k as never, a as never, ret)),
    fc.tuple(fc.constantFrom('pay', 'decline', 'mfa'), fc.boolean()).map(([o, changed]) => new BuyNow(o as never, changed)),
    fc.tuple(pick, fc.boolean()).map(([p, passes]) => new Authenticate(p, passes)),
    fc.tuple(pick, fc.constantFrom('replay', 'replay', 'paid-status', 'bad-checkstring', 'markup-errinfo')).map(([p, how]) => new RetUrlAgain(p, how as never)),
    fc.tuple(pick, fc.constantFrom('AUTH', 'SALES', 'REQSUCCESS', 'PAYFAIL', 'CANCEL')).map(([p, s]) => new Notify(p, s)),
    fc.integer({ min: 1, max: 3 }).map((n) => new DropNotifications(n)),
    fc
      .tuple(fc.constantFrom('capture', 'capture', 'cancel', 'cancel-authorization', 'refund', 'refund-part', 'change'), pick)
      .map(([op, p]) => new Operate(op as never, p)),
    pick.map((p) => new Charge(p)),
    fc.boolean().map((abandon) => new Sweep(abandon)),
    fc.constant(new Purge()),
    fc.tuple(fc.constantFrom('checkout', 'buy-now', 'nothing'), fc.integer({ min: 0, max: 40 })).map(([d, ms]) => new Crash(d as never, ms)),
    fc
      .tuple(fc.constantFrom(...APIS), fc.constantFrom('delay', 'hang', 'cut', 'cut-after', 'busy', 'rate-limit'))
      .map(([api, k]) => new GmoFault(api, k as never)),
    fc.tuple(fc.constantFrom(...APIS), fc.constantFrom('hang', 'cut-after')).map(([api, k]) => new GmoFault(api, k as never)),
  ];
  if (kind === 'postgres') arbs.push(fc.constantFrom('restart', 'freeze').map((how) => new DatabaseOutage(how as never)));
  return arbs;
}
