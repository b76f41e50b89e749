// The browser build must be importable where there is no DOM (server-side rendering, Node tools):
// importing defines nothing, loads nothing and throws nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';

test('dist/amazon-pay-v2.js imports in Node without a DOM', async () => {
  assert.equal(typeof document, 'undefined');
  const mod = await import('../../dist/amazon-pay-v2.js');
  assert.equal(typeof mod.AmazonPayV2, 'function');
  assert.equal(typeof mod.loadCheckoutJs, 'function');
  assert.equal(typeof document, 'undefined', 'importing must not create a document');
});

test('loadCheckoutJs rejects with a clear error instead of touching a DOM', async () => {
  const { loadCheckoutJs, AmazonPayError } = await import('../../dist/amazon-pay-v2.js');
  await assert.rejects(loadCheckoutJs('https://static-fe.payments-amazon.com/checkout.js'), (error) => {
    assert.ok(error instanceof AmazonPayError);
    assert.equal(error.code, 'SCRIPT_LOAD_FAILED');
    return true;
  });
});

test('dist/confirm.js imports in Node without a DOM', async () => {
  const mod = await import('../../dist/confirm.js');
  assert.equal(typeof mod.placeOrder, 'function');
  assert.equal(typeof mod.bindChangeAction, 'function');
});
