// WriteBatch, the order store's group commit, with a recording writer: which ops leave together.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { WriteBatch } from '../../src/server/orders/write-batch.js';

/** A writer that records each batch and answers after `gate` resolves (the database "working"). */
function recorder() {
  const batches: number[][] = [];
  let release: () => void = () => {};
  let gate = Promise.resolve();
  return {
    batches,
    hold() {
      gate = new Promise((r) => (release = r));
    },
    release: () => release(),
    write: async (ops: number[]) => {
      batches.push(ops);
      await gate;
      return ops.map((n) => (n < 0 ? new Error(`op ${n} refused`) : n * 10));
    },
  };
}
const turn = () => new Promise((r) => setImmediate(r));

describe('WriteBatch', () => {
  it('sends a lone write at once and gathers the writes that arrive while one is being written', async () => {
    const db = recorder();
    const batch = new WriteBatch(db.write);
    db.hold();
    const first = batch.submit(1);
    await turn();
    assert.deepEqual(db.batches, [[1]]);
    const more = [2, 3, 4].map((n) => batch.submit(n));
    await turn();
    assert.deepEqual(db.batches, [[1]], 'they wait for the statement in flight');
    db.release();
    assert.deepEqual(await Promise.all([first, ...more]), [10, 20, 30, 40]);
    assert.deepEqual(db.batches, [[1], [2, 3, 4]]);
  });

  it('fails only the op its writer refused', async () => {
    const db = recorder();
    const batch = new WriteBatch(db.write);
    const results = await Promise.allSettled([batch.submit(1), batch.submit(-2), batch.submit(3)]);
    assert.deepEqual(
      results.map((r) => r.status),
      ['fulfilled', 'rejected', 'fulfilled'],
    );
    assert.deepEqual(db.batches, [[1, -2, 3]]);
  });

  it('with a delay, holds partial batches, sends full ones at once, and never keeps a reader waiting for the delay', async (t) => {
    t.mock.timers.enable({ apis: ['setTimeout'] });
    const db = recorder();
    const batch = new WriteBatch(db.write, { delayMs: 3_600_000, maxOps: 10 });
    const ops = Array.from({ length: 25 }, (_, i) => batch.submit(i));
    await turn();
    assert.equal(db.batches.length, 0, 'nothing before the delay');
    t.mock.timers.tick(3_600_000);
    for (let i = 0; i < 5; i++) await turn();
    assert.deepEqual(
      db.batches.map((b) => b.length),
      [10, 10],
      'the second full batch did not wait for another delay',
    );
    // A reader: the 5 left go now, without the hour's delay.
    await batch.settled();
    assert.deepEqual(
      db.batches.map((b) => b.length),
      [10, 10, 5],
    );
    assert.equal((await Promise.all(ops)).length, 25);
    assert.equal(batch.busy, false);
  });

  it('flush() sends what waits behind the batch in flight as soon as it is written, not after the delay', async (t) => {
    t.mock.timers.enable({ apis: ['setTimeout'] });
    const db = recorder();
    const batch = new WriteBatch(db.write, { delayMs: 3_600_000 });
    db.hold();
    const first = batch.submit(1);
    batch.flush();
    await turn();
    assert.deepEqual(db.batches, [[1]]);
    const second = batch.submit(2);
    batch.flush(); // a batch is in flight: 2 goes right after it
    db.release();
    assert.deepEqual(await Promise.all([first, second]), [10, 20]);
    assert.deepEqual(db.batches, [[1], [2]]);
  });
});
