// A shop for the handler tests: the merchant endpoint mounted at /api/amazon-pay in a real HTTP
// server, a completion page, and the order store in a PGlite folder.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { createAmazonPayHandler, type AmazonPayHandler, type AmazonPayHandlerOptions } from '../../../src/server/endpoint/handler.js';
import type { Logger } from '../../../src/server/telemetry/logger.js';
import { openOrderStore } from '../../../src/server/orders/open-store.js';
import type { OrderStore } from '../../../src/server/orders/types.js';
import { PAYLOAD, amazonCheckout, clientFor, formFields, postForm, type RunningSandbox } from './servers.js';

export interface RunningShop {
  origin: string;
  api: string;
  handler: AmazonPayHandler;
  logs: string[];
  stop(): Promise<void>;
}

export async function startShop(
  sandbox: RunningSandbox,
  o: { dataDir?: string; store?: OrderStore; port?: number; gmoTimeoutMs?: number } & Partial<AmazonPayHandlerOptions> = {},
): Promise<RunningShop> {
  const logs: string[] = [];
  const logger: Logger = {
    info: (m, d) => logs.push(`info ${m} ${JSON.stringify(d ?? {})}`),
    warn: (m, d) => logs.push(`warn ${m} ${JSON.stringify(d ?? {})}`),
    error: (m, d) => logs.push(`error ${m} ${JSON.stringify(d ?? {})}`),
  };
  const handler = await createAmazonPayHandler({
    gmo: clientFor(sandbox, { timeoutMs: o.gmoTimeoutMs ?? 5000 }),
    store: o.store ?? (await openOrderStore({ dataDir: o.dataDir ?? 'memory://' })),
    resolveOrder: o.resolveOrder ?? (() => ({ amount: 3980, tax: 0, jobCd: 'AUTH', description: 'テストのご注文' })),
    completionUrl: o.completionUrl ?? '/complete',
    logger,
    ...o,
  });
  const app = new Hono();
  app.route('/api/amazon-pay', handler.app as Hono); // a Hono app at run time; typed structurally for shops without hono
  app.get('/complete', (c) => c.text(`complete ${c.req.query('result')} ${c.req.query('orderId') ?? ''} ${c.req.query('reason') ?? ''}`));
  const server = await new Promise<Server>((resolve) => {
    const s = serve({ fetch: app.fetch, port: o.port ?? 0, hostname: '127.0.0.1' }, () => resolve(s as Server));
  });
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    api: `${origin}/api/amazon-pay`,
    handler,
    logs,
    stop: async () => {
      server.closeAllConnections?.();
      await new Promise((resolve) => server.close(resolve));
      await handler.close();
    },
  };
}

/** A response whose JSON the tests read freely. */
export type JsonResponse = Omit<Response, 'json'> & { json(): Promise<any> };

/** POST /checkout as the shop's own page would. */
export function checkout(shop: RunningShop, body: object = {}, headers: Record<string, string> = {}): Promise<JsonResponse> {
  return fetch(`${shop.api}/checkout`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: shop.origin, ...headers },
    body: JSON.stringify(body),
  });
}

/**
 * A paid order through the standard flow, as a shopper makes it: Amazon's checkout, /checkout,
 * AmazonpayStart, Amazon's page, RetURL. `recurring` makes it a 利用承諾 (a consent to charge again).
 */
export async function payOrder(sandbox: RunningSandbox, shop: RunningShop, recurring = false): Promise<string> {
  const payload = recurring ? { ...PAYLOAD, chargePermissionType: 'Recurring', recurringMetadata: { frequency: { unit: 'Month', value: '1' } } } : PAYLOAD;
  const { sessionId } = await amazonCheckout(sandbox, payload);
  const start = await (await checkout(shop, { amazonCheckoutSessionId: sessionId })).json();
  const page = formFields(await (await postForm(start.startUrl, { AccessID: start.accessId, Token: start.token })).text());
  const result = formFields(await (await postForm(new URL(page.action, sandbox.origin).href, { ...page.fields, action: 'continue' })).text());
  await postForm(result.action, result.fields);
  return start.orderId as string;
}
