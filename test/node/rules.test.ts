// The pure rules, each as a table: input → what it must answer. No server, no store; what the
// routes and the client build on (their behaviour over HTTP is tested in handler.test.ts & co).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GmoPgError, GmoPgTransportError } from '../../src/server/client/errors.js';
import { withRateLimitRetries } from '../../src/server/client/retry.js';
import { failureOf } from '../../src/server/endpoint/failure.js';
import { publicOriginOf } from '../../src/server/endpoint/http/public-origin.js';
import { newOrderId } from '../../src/server/orders/order-id.js';
import { ConfirmQueue } from '../../src/server/payments/confirm.js';
import { checkOrderSpec, OrderSpecError, type OrderSpec } from '../../src/server/payments/order-spec.js';

const quiet = { info() {}, warn() {}, error() {} };
const gmoError = (...codes: string[]) =>
  new GmoPgError(
    'ExecTranAmazonpay',
    codes.map((c) => ({ errCode: c.slice(0, 3), errInfo: c })),
    false,
  );

describe('failureOf: a GMO-PG failure → the answer the endpoint gives the browser', () => {
  const cases: [string, unknown, number, string, boolean][] = [
    // what failed, the error, status, code, whether GMO-PG's codes reach the browser
    ['a spent checkout session', gmoError('E08000004'), 409, 'CHECKOUT_EXPIRED', true],
    ['an expired AmazonpayStart token', gmoError('E08000003'), 409, 'CHECKOUT_EXPIRED', true],
    ['a rate limit', gmoError('E92000001'), 503, 'GMO_PG_BUSY', true],
    ['GMO-PG busy (E90…)', gmoError('E90010001'), 503, 'GMO_PG_BUSY', true],
    ["the shop's own settings (wrong shop ID)", gmoError('E01030002'), 500, 'SHOP_MISCONFIGURED', false],
    ['the contract (E61…)', gmoError('E61010001'), 500, 'SHOP_MISCONFIGURED', false],
    ['any other GMO-PG error', gmoError('E01040010'), 502, 'GMO_PG_ERROR', true],
    ['no answer in time', new GmoPgTransportError('ExecTranAmazonpay', 'no answer', 'timeout'), 504, 'GMO_PG_UNAVAILABLE', false],
    ['no connection', new GmoPgTransportError('ExecTranAmazonpay', 'refused', 'network'), 502, 'GMO_PG_UNAVAILABLE', false],
    ['a fault of our own', new TypeError('x is undefined'), 500, 'INTERNAL_ERROR', false],
  ];
  for (const [what, error, status, code, codesShown] of cases) {
    it(`${what} → ${status} ${code}`, () => {
      const answer = failureOf(error);
      assert.equal(answer.status, status);
      assert.equal(answer.code, code);
      assert.equal(Boolean(answer.gmoErrors), codesShown);
      assert.match(answer.message, /[ぁ-んァ-ン]/, 'a message in Japanese for the shopper');
      assert.doesNotMatch(answer.message, /undefined|TypeError/);
    });
  }
});

describe('withRateLimitRetries: only a read-only call, only for a rate limit', () => {
  const cases: [string, { readOnly: boolean; failures: unknown[] }, number, 'ok' | 'throws' | 'retryable'][] = [
    // what, the rule and the errors of the first attempts, attempts made, outcome
    ['a read-only call limited once', { readOnly: true, failures: [gmoError('E92000001')] }, 2, 'ok'],
    ['a read-only call limited twice (the retries allowed)', { readOnly: true, failures: [gmoError('E92000001'), gmoError('E92000002')] }, 3, 'ok'],
    [
      'a read-only call limited three times',
      { readOnly: true, failures: [gmoError('E92000001'), gmoError('E92000001'), gmoError('E92000001')] },
      3,
      'retryable',
    ],
    ['a payment call limited once: never again', { readOnly: false, failures: [gmoError('E92000001')] }, 1, 'throws'],
    ['a read-only call with another error', { readOnly: true, failures: [gmoError('E01040010')] }, 1, 'throws'],
    ['a read-only call that timed out', { readOnly: true, failures: [new GmoPgTransportError('SearchTradeMulti', 'no answer', 'timeout')] }, 1, 'throws'],
  ];
  for (const [what, { readOnly, failures }, attempts, outcome] of cases) {
    it(`${what}: ${attempts} attempt(s), ${outcome}`, async () => {
      let made = 0;
      const waits: number[] = [];
      const run = withRateLimitRetries(
        async () => {
          const failure = failures[made++];
          if (failure) throw failure as Error;
          return 'answer';
        },
        { readOnly, retries: 2, delayMs: 100, sleep: async (ms) => void waits.push(ms) },
      );
      if (outcome === 'ok') assert.equal(await run, 'answer');
      else await assert.rejects(run, (error: Error) => (error instanceof GmoPgError ? error.retryable === (outcome === 'retryable') : outcome === 'throws'));
      assert.equal(made, attempts);
      assert.deepEqual(waits, [100, 200].slice(0, attempts - 1), 'doubling waits between attempts');
    });
  }
});

describe('checkOrderSpec: what resolveOrder may answer', () => {
  const ok: [string, OrderSpec][] = [
    ['an amount', { amount: 1980 }],
    ['amount, tax, CAPTURE', { amount: 1980, tax: 198, jobCd: 'CAPTURE' }],
    ['a monthly consent', { amount: 500, frequency: { unit: 'Month', value: 1 } }],
    ['Japanese text', { amount: 1, description: 'コーヒー豆 200g', clientField1: '会員番号 123' }],
  ];
  for (const [what, spec] of ok) it(`accepts ${what}`, () => checkOrderSpec(spec));
  const refused: [string, unknown, string][] = [
    ['nothing', undefined, 'resolveOrder'],
    ['no amount', {}, 'amount'],
    ['0 yen', { amount: 0 }, 'amount'],
    ['a fraction of a yen', { amount: 10.5 }, 'amount'],
    ['more than GMO-PG takes', { amount: 10_000_000 }, 'amount'],
    ['an amount as text', { amount: '1980' }, 'amount'],
    ['a negative tax', { amount: 1, tax: -1 }, 'tax'],
    ['an unknown job code', { amount: 1, jobCd: 'SALES' }, 'jobCd'],
    ['an unknown frequency', { amount: 1, frequency: { unit: 'Fortnight', value: 1 } }, 'frequency'],
    ['an emoji (not Windows-31J)', { amount: 1, description: 'コーヒー☕' }, 'description'],
    ['a control character', { amount: 1, description: 'a\u0000b' }, 'description'],
    ['a client field over 100 bytes', { amount: 1, clientField1: 'あ'.repeat(51) }, 'clientField1'],
  ];
  for (const [what, spec, field] of refused) {
    it(`refuses ${what}, naming ${field}`, () => {
      assert.throws(
        () => checkOrderSpec(spec as OrderSpec),
        (error: OrderSpecError) => error instanceof OrderSpecError && error.field === field,
      );
    });
  }
});

describe("publicOriginOf: the origin of RetURL and of the checkout's Origin check", () => {
  const cases: [string, { publicUrl?: string; allowedHosts?: string[] }, string, string][] = [
    ['publicUrl wins over the Host', { publicUrl: 'https://shop.example/any/path' }, 'http://evil.example/checkout', 'https://shop.example'],
    ['an allowed Host', { allowedHosts: ['shop.example'] }, 'https://shop.example/checkout', 'https://shop.example'],
    ['an allowed Host with its port', { allowedHosts: ['127.0.0.1:5173'] }, 'http://127.0.0.1:5173/checkout', 'http://127.0.0.1:5173'],
    ['a Host not allowed', { allowedHosts: ['shop.example'] }, 'https://evil.example/checkout', 'refused'],
    ['neither: the request (with a warning)', {}, 'http://localhost:3000/checkout', 'http://localhost:3000'],
  ];
  for (const [what, options, requestUrl, expected] of cases) {
    it(`${what} → ${expected}`, () => {
      const answer = publicOriginOf(options, quiet)(requestUrl);
      assert.equal('origin' in answer ? answer.origin : 'refused', expected);
    });
  }
  const wrong: [string, { publicUrl?: string; allowedHosts?: string[] }][] = [
    ['a publicUrl that is not http(s)', { publicUrl: 'shop.example' }],
    ['allowedHosts with a URL', { allowedHosts: ['https://shop.example'] }],
    ['empty allowedHosts', { allowedHosts: [] }],
  ];
  for (const [what, options] of wrong) {
    it(`refuses ${what} at start, naming the setting`, () => assert.throws(() => publicOriginOf(options, quiet), /publicUrl|allowedHosts/));
  }
});

describe("newOrderId: GMO-PG's OrderID rule", () => {
  it('is at most 27 of [A-Za-z0-9-], unique, and sorts by creation time', async () => {
    const ids = Array.from({ length: 2000 }, () => newOrderId());
    for (const id of ids) assert.match(id, /^[A-Za-z0-9-]{1,27}$/);
    assert.equal(new Set(ids).size, ids.length);
    const earlier = newOrderId();
    await new Promise((r) => setTimeout(r, 5));
    assert.ok(earlier.slice(0, 11) < newOrderId().slice(0, 11), 'a later order sorts after');
  });
  for (const [prefix, ok] of [
    ['', true],
    ['SHOP1', true],
    ['ABCDEF', true],
    ['ABCDEFG', false],
    ['A-B', false],
  ] as const) {
    it(`prefix "${prefix}": ${ok ? 'taken' : 'refused'}`, () => {
      if (ok) assert.match(newOrderId(prefix), new RegExp(`^${prefix}[A-Z0-9]{9}-[A-Z0-9]{12}$`));
      else assert.throws(() => newOrderId(prefix), /use at most 6 letters or digits/);
    });
  }
});

describe('ConfirmQueue: one question to GMO-PG at a time per order, and floods coalesced', () => {
  /** A queue whose confirmation takes `ms`; counts calls per order. */
  function queue(ms: number, quietMs: number, maxOrders?: number) {
    const calls = new Map<string, number>();
    const confirm = async (orderId: string) => {
      const n = (calls.get(orderId) ?? 0) + 1;
      calls.set(orderId, n);
      await new Promise((r) => setTimeout(r, ms));
      return `${orderId}#${n}`;
    };
    return { calls, q: new ConfirmQueue(confirm, { quietMs, later: () => {}, maxOrders }) };
  }

  it('answers 300 asks for one order with at most two confirmations, each ask by one that started after it', async () => {
    const { calls, q } = queue(20, 10);
    const answers = await Promise.all(Array.from({ length: 300 }, () => q.ask('A')!));
    assert.ok(calls.get('A')! <= 2, `${calls.get('A')} confirmations`);
    assert.deepEqual([...new Set(answers)].sort(), ['A#1', 'A#2'].slice(0, calls.get('A')));
  });

  it('confirms different orders side by side', async () => {
    let inFlight = 0;
    let most = 0;
    const q = new ConfirmQueue(
      async (orderId: string) => {
        most = Math.max(most, ++inFlight);
        await new Promise((r) => setTimeout(r, 20));
        inFlight--;
        return orderId;
      },
      { quietMs: 10, later: () => {} },
    );
    assert.deepEqual(await Promise.all(['A', 'B', 'C'].map((o) => q.ask(o)!)), ['A', 'B', 'C']);
    assert.equal(most, 3, 'three orders in flight at once, not one after another');
  });

  it('waits quietMs after the last confirmation of an order before the next', async () => {
    const { q } = queue(5, 60);
    await q.ask('A');
    const asked = performance.now();
    assert.equal(await q.ask('A'), 'A#2');
    assert.ok(performance.now() - asked >= 50, 'the second waited for the quiet time');
  });

  it('refuses an order beyond maxOrders (undefined: GMO-PG sends again, the sweep settles it)', () => {
    const { q } = queue(50, 10, 2);
    assert.ok(q.ask('A') && q.ask('B'));
    assert.equal(q.ask('C'), undefined);
    assert.ok(q.ask('A'), 'an order already tracked is still answered');
  });
});
