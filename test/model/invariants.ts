// What must hold when all is quiet, checked against GMO-PG's truth (the sandbox's trades), in the
// manner of Jepsen's checkers: the history the shop recorded is compared with what really happened.
import { FINAL_STAGES, isFailedStatus, isPaid, OPEN_STAGES, UNSETTLED_STATUSES } from '../../src/server/payments/lifecycle.js';
import type { PublicOrder } from '../../src/server/orders/types.js';
import { Violation, type Real } from './commands.js';
import type { World } from './world.js';

/**
 * Quiet: faults off, the database and the shop up, GMO-PG's notifications delivered, the shop's
 * background work done, then one sweep (grace 0, abandon 0) as cron would run it.
 */
export async function quiesce(world: World): Promise<void> {
  world.sandbox.faults.clear();
  world.pg?.thaw();
  await world.start();
  await world.sandbox.notifier.idle();
  await world.op('idle');
  if (world.pg) await noStatementsInFlight(world.pg.url);
  const sweep = await world.op('sweep', { graceMs: 0, abandonAfterMs: 0 });
  if (sweep.status !== 200 || sweep.json.errors) throw new Violation(`the final sweep could not ask GMO-PG about every order: ${JSON.stringify(sweep.json)}`);
  await world.op('idle');
  await world.sandbox.notifier.idle();
  await world.op('idle');
}

/**
 * A frozen server runs, once thawed, the statements its clients gave up on (a checkout's insert that
 * timed out lands after all, as an order GMO-PG may hold): quiet means none is still in flight, else
 * the final sweep may start before it lands. Two empty looks 50 ms apart, for at most 5 s.
 */
async function noStatementsInFlight(url: string): Promise<void> {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    let empty = 0;
    for (let i = 0; i < 100 && empty < 2; i++) {
      const { rows } = await client.query<{ n: number }>(
        "select count(*)::int as n from pg_stat_activity where state = 'active' and pid <> pg_backend_pid() and datname = current_database()",
      );
      empty = rows[0].n === 0 ? empty + 1 : 0;
      await new Promise((r) => setTimeout(r, 50));
    }
  } finally {
    await client.end();
  }
}

/** Every invariant over the world's orders and trades; throws a Violation naming the first that fails. */
export async function checkInvariants(real: Real): Promise<void> {
  const { world } = real;
  const orders = ((await world.op('orders')).json as PublicOrder[]).filter((o) => o.orderId.startsWith(world.prefix));
  const byId = new Map(orders.map((o) => [o.orderId, o]));
  const trades = [...world.sandbox.state.trades.values()].filter((t) => t.orderId.startsWith(world.prefix));
  const tradeOf = new Map(trades.map((t) => [t.orderId, t]));
  const fail = (message: string, detail?: unknown) => {
    throw new Violation(`${message}${detail ? `: ${JSON.stringify(detail)}` : ''}`);
  };

  for (const o of orders) {
    // Nothing left open once quiet and swept: every order says how it ended.
    if (OPEN_STAGES.includes(o.stage)) fail(`order ${o.orderId} is still ${o.stage} after a sweep with no grace`, o);
    const t = tradeOf.get(o.orderId);
    if (!t) {
      // GMO-PG never had it: it may only have ended without money.
      if (o.status !== null || !['entry_failed', 'abandoned', 'failed'].includes(o.stage))
        fail(`order ${o.orderId} is ${o.stage}/${o.status}, and GMO-PG has no transaction for it`, o);
      continue;
    }
    // The order says what GMO-PG says.
    if (o.accessId !== null && o.accessId !== t.accessId) fail(`order ${o.orderId} points at another transaction than GMO-PG's`);
    if (o.status !== t.status) fail(`order ${o.orderId} says ${o.status} (${o.stage}), GMO-PG says ${t.status}`, { order: o, trade: t.history });
    if (o.amount !== t.amount || o.cancelAmount !== t.cancelAmount)
      fail(`order ${o.orderId} says ${o.amount}/${o.cancelAmount} returned, GMO-PG ${t.amount}/${t.cancelAmount}`);
    if (isPaid(t.status) && o.stage !== 'completed') fail(`order ${o.orderId} is ${o.stage}, GMO-PG has it paid (${t.status})`);
    if (isFailedStatus(t.status) && o.stage !== 'failed') fail(`order ${o.orderId} is ${o.stage}, GMO-PG has it failed (${t.status})`);
    if (!isPaid(t.status) && o.stage === 'completed') fail(`order ${o.orderId} is completed, GMO-PG has it unpaid (${t.status})`);
    if (!FINAL_STAGES.includes(o.stage)) fail(`order ${o.orderId} is ${o.stage}`);
  }

  const paidByAmount = new Map<number, string[]>();
  for (const t of trades) {
    const paid = t.authorizedAt !== undefined;
    // Nothing deleted that GMO-PG holds unsettled; nothing paid lost without retention removing it.
    if ((UNSETTLED_STATUSES as readonly string[]).includes(t.status) && !byId.has(t.orderId))
      fail(`GMO-PG holds ${t.orderId} at ${t.status}, and the shop has no such order${real.purged.has(t.orderId) ? ' (retention removed it)' : ''}`);
    if (paid && !byId.has(t.orderId) && !real.purged.has(t.orderId)) fail(`GMO-PG took the money of ${t.orderId}, and the shop has no record of it`, t.history);
    if (!paid) continue;
    // The amount authorized is the amount the shop quoted (and, for Buy Now, the buyer approved).
    const intent = real.intents.get(t.authorizedAmount);
    if (!intent) fail(`GMO-PG authorized ${t.authorizedAmount} for ${t.orderId}, an amount nobody was shown`, t.history);
    if (intent!.approved !== undefined && intent!.amount + intent!.tax > intent!.approved)
      fail(`Buy Now ${t.orderId} authorized ${intent!.amount + intent!.tax}, the buyer approved ${intent!.approved}`);
    paidByAmount.set(t.authorizedAmount, [...(paidByAmount.get(t.authorizedAmount) ?? []), t.orderId]);
    // No money moved twice.
    const captures = t.history.filter((e) => e.event === 'AmazonpaySales').length;
    if (captures > 1) fail(`${t.orderId} was captured ${captures} times`);
    if (t.cancelAmount > t.amount || t.cancelTax > t.tax) fail(`${t.orderId}: more given back than taken`, t);
  }
  for (const [amount, ids] of paidByAmount) if (ids.length > 1) fail(`one attempt (${amount} yen) was paid ${ids.length} times`, ids);
}
