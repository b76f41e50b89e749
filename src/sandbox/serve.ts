/**
 * The sandbox alone on a port, printing what to point a shop at (`npx amazon-pay-v2 sandbox`).
 */
import { serve } from '@hono/node-server';
import { createSandbox } from './app.js';

export interface ServeSandboxOptions {
  /** Default 8787; 0 picks a free port. */
  port?: number;
  /** Where result notifications go (the shop's /notify). */
  notifyUrl?: string;
  /** Keep the records across restarts in this JSON file; none: in memory only. */
  stateFile?: string;
  /** Each GMO-PG call takes this long (ms, or [min, max]); default 0. */
  latencyMs?: number | [number, number];
}

/** Starts the sandbox on 127.0.0.1; resolves with its origin and a stop function. */
export function serveSandbox(options: ServeSandboxOptions = {}): Promise<{ origin: string; stop(): void }> {
  const sandbox = createSandbox({ notifyUrl: options.notifyUrl, stateFile: options.stateFile, latencyMs: options.latencyMs });
  return new Promise((resolve) => {
    const server = serve({ fetch: sandbox.app.fetch, port: options.port ?? 8787, hostname: '127.0.0.1' }, (info) => {
      const origin = `http://127.0.0.1:${info.port}`;
      console.log(`GMO-PG / Amazon Pay sandbox on ${origin}
The server's settings (environment):
  GMO_PG_BASE_URL=${origin}/payment/
  GMO_PG_SHOP_ID=${sandbox.shopId}
  GMO_PG_SHOP_PASS=${sandbox.shopPass}   (the sandbox's own${process.env.SANDBOX_SHOP_PASS ? ', from SANDBOX_SHOP_PASS' : ' default'}; never a real password)
The button, to paste into your page (APB; the endpoint where your server mounts it):
  <amazon-pay-v2 mode="apb" endpoint="/api/amazon-pay/checkout" merchant-id="SANDBOX" sandbox script-src="${origin}/amazon/checkout.js" start-origins="${origin}" show-errors></amazon-pay-v2>
  script-src loads this sandbox's checkout.js instead of Amazon's, start-origins lets the button send the shopper to its
  AmazonpayStart; merchant-id may be anything here (public-key-id too, for standard buttons). Going live: drop both, see docs/going-live.md.
Result notifications: ${sandbox.notifier.url ?? `off (--notify-url http://127.0.0.1:3000/api/amazon-pay/notify)`}`);
      resolve({
        origin,
        stop: () => {
          sandbox.close();
          server.close();
        },
      });
    });
  });
}
