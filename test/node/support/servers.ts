// Real HTTP servers for the Node tests: the sandbox on a free port, and a "shop" that records
// what GMO-PG sends it (result notifications) and answers as it is told to.
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import { createServer as createTcpServer, type AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { createSandbox, type Sandbox, type SandboxOptions } from '../../../src/sandbox/app.js';
import { createGmoPgClient, type GmoPgConfig } from '../../../src/server/client/gmo-pg-client.js';

export interface RunningSandbox extends Sandbox {
  origin: string;
  baseUrl: string;
  /** TCP connections the sandbox has accepted so far. */
  connections(): number;
  stop(): Promise<void>;
}

export async function startSandbox(options: SandboxOptions = {}): Promise<RunningSandbox> {
  const sandbox = createSandbox({ shopId: 'tshop00000001', shopPass: 'sandboxpass1', ...options });
  const server = await new Promise<Server>((resolve) => {
    const s = serve({ fetch: sandbox.app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s as Server));
  });
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  let accepted = 0;
  server.on('connection', () => accepted++);
  return {
    ...sandbox,
    origin,
    baseUrl: `${origin}${options.basePath ?? ''}/payment/`,
    connections: () => accepted,
    stop: () =>
      new Promise((resolve) => {
        sandbox.close();
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}

export const clientFor = (sandbox: RunningSandbox, config: GmoPgConfig = {}) =>
  createGmoPgClient({ shopId: sandbox.shopId, shopPass: sandbox.shopPass, baseUrl: sandbox.baseUrl, ...config });

export interface Received {
  method: string;
  url: string;
  contentType: string;
  body: Buffer;
}

/** A tiny HTTP server that records requests and answers with `reply(request)`. */
export async function startRecorder(reply: (r: Received, index: number) => { status?: number; body: string; type?: string } = () => ({ body: '0' })) {
  const received: Received[] = [];
  const server = createServer(async (req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const r = { method: req.method!, url: req.url!, contentType: req.headers['content-type'] ?? '', body: Buffer.concat(chunks) };
    received.push(r);
    const answer = reply(r, received.length - 1);
    res.writeHead(answer.status ?? 200, { 'content-type': answer.type ?? 'text/plain' });
    res.end(answer.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    received,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The hidden inputs of an HTML form (what the browser would post). */
export function formFields(html: string): { action: string; fields: Record<string, string> } {
  const action = /<form[^>]*action="([^"]*)"/.exec(html)?.[1] ?? '';
  const fields: Record<string, string> = {};
  for (const m of html.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)">/g)) fields[unescape(m[1])] = unescape(m[2]);
  return { action: unescape(action), fields };
}
const unescape = (s: string) => s.replace(/&(amp|lt|gt|quot|#39);/g, (_, e) => ({ amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'" })[e as string]!);

/**
 * Posts a browser-style (UTF-8) form and returns the response, without following redirects. With
 * `from`, the headers a browser adds to a form posted by a page of that origin (Origin, Sec-Fetch-Site).
 */
export function postForm(url: string, fields: Record<string, string>, from?: string) {
  const site: Record<string, string> =
    from === undefined ? {} : { origin: from, 'sec-fetch-site': new URL(url).origin === from ? 'same-origin' : 'cross-site' };
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...site },
    body: new URLSearchParams(fields).toString(),
    redirect: 'manual',
  });
}

/**
 * Walks the stand-in Amazon as a browser would, for the standard flow: checkout.js's initiate
 * form, the address/card page, and the redirect to the confirm page. Returns the session id.
 */
export async function amazonCheckout(sandbox: RunningSandbox, payload: object, choice = { address: '0', card: '0' }) {
  const page = await postForm(`${sandbox.origin}/amazon/checkout/initiate`, {
    payloadJSON: JSON.stringify(payload),
    signature: 'c2lnbmF0dXJl',
    publicKeyId: 'SANDBOX-AKEY',
    productType: 'PayAndShip',
  });
  const { action, fields } = formFields(await page.text());
  const next = await postForm(new URL(action, sandbox.origin).href, { ...fields, action: 'continue', ...choice });
  const location = new URL(next.headers.get('location')!);
  return { sessionId: location.searchParams.get('amazonCheckoutSessionId')!, location };
}

export const PAYLOAD = {
  webCheckoutDetails: { checkoutReviewReturnUrl: 'https://shop.example/confirm' },
  storeId: 'amzn1.application-oa2-client.test',
};

/**
 * Sends a chunked body (no Content-Length) of up to `total` bytes, 16 kB at a time, and stops
 * sending once the answer has come. Returns the status and how much was sent by then.
 */
export function sendEndless(url: string, headers: Record<string, string>, total = 64 * 1024 * 1024): Promise<{ status: number; sent: number }> {
  return new Promise((resolve, reject) => {
    let sent = 0;
    let answered = false;
    const req = request(url, { method: 'POST', headers: { ...headers, 'transfer-encoding': 'chunked' } }, (res) => {
      answered = true;
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode!, sent }));
    });
    req.on('error', (error) => (answered ? undefined : reject(error)));
    const chunk = Buffer.alloc(16 * 1024, 'a');
    const pump = () => {
      while (!answered && sent < total) {
        sent += chunk.length;
        if (!req.write(chunk)) return void req.once('drain', pump);
      }
      if (!answered) req.end();
    };
    pump();
  });
}

/** A port free on 127.0.0.1 right now, for a server that must be told its port (Vite, next start). */
export const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createTcpServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });

/**
 * One APB payment through a shop at `origin` whose endpoint is under `basePath`, with the headers a
 * browser sends: the JSON checkout from the shop's page, the form to AmazonpayStart, the stand-in
 * Amazon's pay page, and GMO-PG's result form posted back to RetURL from the sandbox's origin
 * (cross-site, as framework CSRF checks see it). Returns the order and where the shopper landed.
 */
export async function payApb(sandbox: RunningSandbox, origin: string, basePath = '/api/amazon-pay') {
  const started = await fetch(`${origin}${basePath}/checkout`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin, 'sec-fetch-site': 'same-origin' },
    body: '{}',
  });
  const start = (await started.json()) as { startUrl: string; accessId: string; token: string; orderId: string };
  if (started.status !== 200) throw new Error(`checkout answered ${started.status}: ${JSON.stringify(start)}`);
  const amazon = formFields(await (await postForm(start.startUrl, { AccessID: start.accessId, Token: start.token }, origin)).text());
  const result = formFields(
    await (await postForm(new URL(amazon.action, sandbox.origin).href, { ...amazon.fields, action: 'continue' }, sandbox.origin)).text(),
  );
  const back = await postForm(result.action, result.fields, sandbox.origin);
  const location = back.headers.get('location');
  return {
    orderId: start.orderId,
    retUrl: result.action,
    status: back.status,
    landing: location ? new URL(location, origin) : undefined,
    body: location ? '' : await back.text(),
  };
}
