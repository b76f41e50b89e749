/**
 * Mounting the handler (or the sandbox) in Node servers that are not web-standard: node:http,
 * Express, Connect, Koa, Fastify.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { getRequestListener } from '@hono/node-server';
import { Hono } from 'hono';
import type { FetchApp } from './fetch-app.js';

/**
 * What `toNodeListener` serves: an `AmazonPayHandler` or a `Sandbox` (they have an `app`), or the
 * lazy `amazonPayRoutes(...)` (a `fetch` and its `basePath`). A target with a `basePath` already
 * serves its routes, and writes its links, under that path.
 */
export type HasApp = { app: FetchApp; basePath?: string } | { fetch(request: Request): Promise<Response>; basePath: string };

type NodeListener = (req: IncomingMessage, res: ServerResponse, next?: (error?: unknown) => void) => void;

/**
 * A Node `(req, res, next)` listener serving `target.app` under `basePath` (e.g. `/api/amazon-pay`).
 * Express: `app.use(toNodeListener(handler, '/api/amazon-pay'))`: mount it without a path of
 * Express's own, so that Express leaves the URL whole and RetURL is built right. It works before or
 * after `express.json()` / `express.urlencoded()`: a body they have read is taken from `req.body`.
 * The sandbox, mounted the same way under a prefix, must be created with that `basePath` too.
 */
export function toNodeListener(target: HasApp, basePath = ''): NodeListener {
  const own = target.basePath?.replace(/\/$/, '');
  if (own !== undefined && basePath && basePath.replace(/\/$/, '') !== own) {
    throw new Error(
      `toNodeListener: this app serves its routes and links under "${own || '/'}" but is mounted at "${basePath}": create it with { basePath: '${basePath}' } and mount it with toNodeListener(app)`,
    );
  }
  // The app is a Hono app at run time (typed structurally so that the declarations need no 'hono').
  const fetch: FetchApp['fetch'] =
    'app' in target ? (own !== undefined ? target.app.fetch : new Hono().route(basePath || '/', target.app as unknown as Hono).fetch) : target.fetch;
  const app = { fetch: (request: Request) => Promise.resolve(fetch(request)) };
  const listener = getRequestListener(app.fetch);
  const prefix = (own ?? basePath).replace(/\/$/, '');
  return (req, res, next) => {
    const path = (req.url ?? '/').split('?')[0];
    if (next && prefix && !(path === prefix || path.startsWith(prefix + '/'))) return next();
    if (!bodyWasRead(req)) return void listener(req, res);
    // A body parser ran first: its stream is spent, so the request is rebuilt from what it kept.
    const body = bodyOf(req);
    if (body === undefined) {
      console.error(
        `amazon-pay-v2: ${req.method} ${path}: BODY_ALREADY_READ: a body parser read the request first and kept nothing in req.body; mount toNodeListener(...) before the body parsers (Fastify: hand the request over in an onRequest hook, see docs/hosts.md)`,
      );
      res.writeHead(500, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          error: {
            code: 'BODY_ALREADY_READ',
            message: 'the request body was read before amazon-pay-v2 saw it, and not kept in req.body: mount toNodeListener(...) before the body parsers',
          },
        }),
      );
      return;
    }
    void serveRebuilt(app, req, res, body).catch((error) => (next ? next(error) : res.writeHead(500).end()));
  };
}

/** Whether something (body-parser, express.json…) has consumed the request's stream. */
function bodyWasRead(req: IncomingMessage): boolean {
  return (req as { _body?: boolean })._body === true || req.readableEnded;
}

/** The bytes of a body a parser has turned into `req.body`, as the client sent them (near enough for our routes). */
function bodyOf(req: IncomingMessage): Buffer | undefined {
  const parsed = (req as { body?: unknown; rawBody?: unknown }).rawBody ?? (req as { body?: unknown }).body;
  if (parsed === undefined) return req.method === 'GET' || req.method === 'HEAD' || req.headers['content-length'] === '0' ? Buffer.alloc(0) : undefined;
  if (Buffer.isBuffer(parsed)) return parsed;
  if (typeof parsed === 'string') return Buffer.from(parsed);
  const type = req.headers['content-type'] ?? '';
  if (/^application\/x-www-form-urlencoded/i.test(type) && parsed && typeof parsed === 'object') {
    return Buffer.from(new URLSearchParams(Object.entries(parsed as Record<string, unknown>).map(([k, v]): [string, string] => [k, String(v)])).toString());
  }
  return Buffer.from(JSON.stringify(parsed));
}

async function serveRebuilt(app: { fetch(request: Request): Promise<Response> }, req: IncomingMessage, res: ServerResponse, body: Buffer) {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined || name === 'content-length' || name === 'transfer-encoding') continue;
    for (const v of [value].flat()) headers.append(name, v);
  }
  const secure = (req.socket as { encrypted?: boolean }).encrypted;
  const url = new URL(req.url ?? '/', `${secure ? 'https' : 'http'}://${req.headers.host ?? 'localhost'}`);
  const method = req.method ?? 'GET';
  const request = new Request(url, { method, headers, body: method === 'GET' || method === 'HEAD' ? undefined : new Uint8Array(body) });
  const response = await app.fetch(request);
  const out: Record<string, string | string[]> = {};
  response.headers.forEach((value, name) => {
    if (name !== 'set-cookie') out[name] = value;
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length) out['set-cookie'] = cookies;
  res.writeHead(response.status, out);
  res.end(Buffer.from(await response.arrayBuffer()));
}
