import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';

/**
 * Refuses a request body over `maxBytes` with 413, counting what arrives: a chunked body (no
 * Content-Length) is read only up to the limit, never into memory whole.
 *
 * A body with a Content-Length (what browsers send) is judged by the header alone, as Hono's
 * bodyLimit does, but without asking the request for its body stream first: on Node that made
 * @hono/node-server build a full web Request and two streams for every POST (~50 µs of CPU and
 * garbage each, bench/server.mjs), where the handler's own `c.req.text()` reads the socket directly.
 */
export function limitBody(maxBytes: number): MiddlewareHandler {
  const tooLarge: Parameters<typeof bodyLimit>[0]['onError'] = (c) =>
    c.json({ error: { code: 'TOO_LARGE', message: `the request body is over ${maxBytes} bytes` } }, 413);
  const counting = bodyLimit({ maxSize: maxBytes, onError: tooLarge });
  return async (c, next) => {
    const method = c.req.method;
    if (method === 'GET' || method === 'HEAD') return next();
    const length = c.req.header('content-length');
    if (length !== undefined && c.req.header('transfer-encoding') === undefined) {
      return /^\d+$/.test(length) && Number(length) <= maxBytes ? next() : tooLarge(c);
    }
    return counting(c, next);
  };
}
