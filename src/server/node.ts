/**
 * Mounting the handler in Node servers that are not web-standard (node:http, Express, Connect).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { getRequestListener } from '@hono/node-server';
import { Hono } from 'hono';
import type { AmazonPayHandler } from './handler.js';

/**
 * A Node `(req, res)` listener serving the handler under `basePath` (e.g. `/api/amazon-pay`).
 * Express: `app.use(toNodeListener(handler, '/api/amazon-pay'))` — mount it without a path, so
 * that Express leaves the URL whole and RetURL is built right.
 */
export function toNodeListener(handler: AmazonPayHandler, basePath = ''): (req: IncomingMessage, res: ServerResponse, next?: () => void) => void {
  const app = new Hono().route(basePath || '/', handler.app);
  const listener = getRequestListener(app.fetch);
  const prefix = basePath.replace(/\/$/, '');
  return (req, res, next) => {
    const path = (req.url ?? '/').split('?')[0];
    if (next && prefix && !(path === prefix || path.startsWith(prefix + '/'))) return next();
    void listener(req, res);
  };
}
