import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';

/**
 * Refuses a request body over `maxBytes` with 413, counting what arrives: a chunked body (no
 * Content-Length) is read only up to the limit, never into memory whole.
 */
export function limitBody(maxBytes: number): MiddlewareHandler {
  return bodyLimit({
    maxSize: maxBytes,
    onError: (c) => c.json({ error: { code: 'TOO_LARGE', message: `the request body is over ${maxBytes} bytes` } }, 413),
  });
}
