/**
 * Route handlers for frameworks that evaluate the route module at build time and again on every
 * hot reload (Next.js App Router's `route.ts`): nothing is configured, checked or opened until the
 * first request, and the order store is shared by every evaluation in the process, so a reload
 * never opens a second store on the same PGlite folder.
 *
 *   // app/api/amazon-pay/[...path]/route.ts
 *   export const { GET, POST } = amazonPayRoutes({ basePath: '/api/amazon-pay', resolveOrder, completionUrl: '/thanks', publicUrl });
 */
import { createGmoPgClient, type GmoPgConfig } from './client.js';
import { createAmazonPayHandler, type AmazonPayHandler, type AmazonPayHandlerOptions } from './handler.js';
import { consoleLogger, safeLogger } from './logger.js';
import { openOrderStore, storeLocation } from './orders/sql-store.js';
import type { OrderStore } from './orders/types.js';

export interface AmazonPayRoutes {
  GET(request: Request): Promise<Response>;
  POST(request: Request): Promise<Response>;
  /** The handler, made on first use (or now): call it at boot (Next.js `instrumentation.ts`) so that the first shopper does not wait for the store to open. */
  handler(): Promise<AmazonPayHandler>;
}

/** Stores by where they keep their data, one per process (across hot reloads: kept on globalThis). */
const STORES = Symbol.for('amazon-pay-v2.route-stores');

function sharedStore(dataDir?: string): Promise<OrderStore> {
  const registry = ((globalThis as Record<symbol, unknown>)[STORES] ??= new Map()) as Map<string, Promise<OrderStore>>;
  const where = storeLocation({ dataDir });
  const key = 'databaseUrl' in where ? `url:${where.databaseUrl}` : `dir:${where.dataDir}`;
  let store = registry.get(key);
  if (!store) {
    store = openOrderStore({ dataDir }).catch((error) => {
      registry.delete(key); // a failed open (a missing variable, a locked folder) is tried again on the next request
      throw error;
    });
    registry.set(key, store);
  }
  return store;
}

/**
 * `{ GET, POST }` for a route module. Configuration errors (a missing GMO_PG_* variable, a store
 * that cannot open) surface on the first request, as a 500 with the reason in the log, not when
 * the module is imported (as `next build` does).
 */
export function amazonPayRoutes(options: AmazonPayHandlerOptions & { dataDir?: string }): AmazonPayRoutes {
  let made: Promise<AmazonPayHandler> | undefined;
  const handler = () =>
    (made ??= (async () => {
      // The GMO-PG settings first: a missing variable is reported before the store's seconds of set-up.
      const gmo = options.gmo && 'execTranAmazonpay' in options.gmo ? options.gmo : createGmoPgClient(options.gmo as GmoPgConfig | undefined);
      return createAmazonPayHandler({ ...options, gmo, store: options.store ?? (await sharedStore(options.dataDir)) });
    })().catch((error) => {
      made = undefined;
      throw error;
    }));
  const serve = async (request: Request) => {
    let h: AmazonPayHandler;
    try {
      h = await handler();
    } catch (error) {
      safeLogger(options.logger ?? consoleLogger).error(`the endpoint is not configured: ${(error as Error).message}`);
      return Response.json({ error: { code: 'NOT_CONFIGURED', message: 'ただいま Amazon Pay をご利用いただけません。' } }, { status: 500 });
    }
    return h.fetch(request);
  };
  return { GET: serve, POST: serve, handler };
}
