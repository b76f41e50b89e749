/**
 * The endpoint in its lazy form, for every host: nothing is configured, checked or opened until the
 * first request, so a build that imports the server file (next build, SvelteKit's and Angular's
 * analysis, Astro, Nuxt) needs no GMO-PG settings; and the order store is shared by every evaluation
 * in the process, so a hot reload never opens a second store on the same PGlite folder.
 *
 *   // Next.js app/api/amazon-pay/[...path]/route.ts
 *   export const { GET, POST } = amazonPayRoutes({ basePath: '/api/amazon-pay', resolveOrder, completionUrl: '/thanks', publicUrl });
 *   // SvelteKit +server.ts / Astro: export const POST = ({ request }) => amazonPay.fetch(request)
 *   // Express, Koa, Fastify: toNodeListener(amazonPay)
 */
import { createGmoPgClient } from '../client/gmo-pg-client.js';
import { createAmazonPayHandler, type AmazonPayHandler, type AmazonPayHandlerOptions } from './handler.js';
import { consoleLogger, safeLogger, type Logger } from '../telemetry/logger.js';
import { openOrderStore, storeLocation } from '../orders/open-store.js';
import type { OrderStore } from '../orders/types.js';

export interface AmazonPayRoutes {
  /** Web-standard: `(Request) => Promise<Response>` for a whole URL under `basePath`. */
  fetch(request: Request): Promise<Response>;
  GET(request: Request): Promise<Response>;
  POST(request: Request): Promise<Response>;
  /** The path the routes are under (the `basePath` option): `toNodeListener(routes)` mounts them there. */
  readonly basePath: string;
  /** The handler, made on first use (or now): call it at boot (Next.js `instrumentation.ts`) so that the first shopper does not wait for the store to open. */
  handler(): Promise<AmazonPayHandler>;
}

/** Stores by where they keep their data, one per process (across hot reloads: kept on globalThis). */
const STORES = Symbol.for('amazon-pay-v2.route-stores');

function sharedStore(dataDir: string | undefined, logger: Logger): Promise<OrderStore> {
  const registry = ((globalThis as Record<symbol, unknown>)[STORES] ??= new Map()) as Map<string, Promise<OrderStore>>;
  const where = storeLocation({ dataDir });
  const key = 'databaseUrl' in where ? `url:${where.databaseUrl}` : `dir:${where.dataDir}`;
  let store = registry.get(key);
  if (!store) {
    store = openOrderStore({ dataDir, logger }).catch((error) => {
      registry.delete(key); // a failed open (a missing variable, a locked folder) is tried again on the next request
      throw error;
    });
    registry.set(key, store);
  }
  return store;
}

/**
 * The lazy endpoint: `{ fetch, GET, POST }` for a route module or `toNodeListener`. Configuration errors (a missing GMO_PG_* variable, a store
 * that cannot open) surface on the first request, as a 500 with the reason in the log, not when
 * the module is imported (as `next build` does).
 */
export function amazonPayRoutes(options: AmazonPayHandlerOptions & { dataDir?: string }): AmazonPayRoutes {
  let made: Promise<AmazonPayHandler> | undefined;
  const handler = () =>
    (made ??= (async () => {
      // The GMO-PG settings first: a missing variable is reported before the store's seconds of set-up.
      const gmo = options.gmo && 'execTranAmazonpay' in options.gmo ? options.gmo : createGmoPgClient(options.gmo);
      return createAmazonPayHandler({
        ...options,
        gmo,
        store: options.store ?? (await sharedStore(options.dataDir, safeLogger(options.logger ?? consoleLogger))),
      });
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
      return Response.json(
        {
          error: {
            code: 'NOT_CONFIGURED',
            message: 'the endpoint is not configured (see the server log)',
            userMessage: 'ただいま Amazon Pay をご利用いただけません。',
          },
        },
        { status: 500 },
      );
    }
    return h.fetch(request);
  };
  return { fetch: serve, GET: serve, POST: serve, basePath: (options.basePath ?? '').replace(/\/$/, ''), handler };
}
