/**
 * GMO-PG's server-to-server APIs (`/payment/<Api>.idPass`): the wire as GMO-PG speaks it (form
 * bodies, Windows-31J, `ErrCode`/`ErrInfo`), the configured latency and the armed faults (a delay,
 * a forced error, a cut connection before or after GMO-PG acted, an answer held back).
 */
import type { Context } from 'hono';
import { RESPONSE_CONTENT_TYPE, detectFormCharset, encodeResponse, joinErrors, parseForm } from '../../server/client/wire.js';
import { API_NAMES, ApiError, runApi } from '../gmo/api.js';
import type { SandboxParts, SandboxRoutes } from './context.js';

export function gmoApiRoutes(r: SandboxRoutes, { faults, gmo: context, latency }: SandboxParts): void {
  r.all('/payment/:file', async (c) => {
    const api = c.req.param('file').replace(/\.idPass$/, '');
    if (!c.req.param('file').endsWith('.idPass') || !API_NAMES.includes(api)) return c.text('Not Found', 404);
    const answer = (fields: Record<string, string | number | undefined>) =>
      c.body(new Uint8Array(encodeResponse(fields)), 200, { 'content-type': RESPONSE_CONTENT_TYPE });
    const fail = (codes: string[]) => answer(joinErrors(codes.map((i) => ({ errCode: i.slice(0, 3), errInfo: i }))));

    if (c.req.method !== 'POST') return fail(['E00000001']);
    const type = c.req.header('content-type') ?? '';
    if (!/^application\/x-www-form-urlencoded/i.test(type)) return fail(['E00000003']);
    const body = Buffer.from(await c.req.arrayBuffer());
    if (!body.length) return fail(['E00000010']);
    // GMO-PG's spec says Windows-31J. A request that says charset=utf-8 is read as UTF-8, and so is
    // one with no charset whose bytes are valid UTF-8: Amazon's own GMO-PG samples send
    // querystring's UTF-8 with no charset, and GMO-PG evidently reads them right (inferred).
    const declared = /charset=([\w-]+)/i.exec(type)?.[1];
    const charset = declared ? (/^utf-?8$/i.test(declared) ? 'utf-8' : 'windows-31j') : detectFormCharset(body);
    const fields = parseForm(body, charset, new Set());

    const delay = faults.takeDelay(api) + latency();
    if (delay) await new Promise((resolve) => setTimeout(resolve, delay));
    const cut = faults.takeCut(api);
    if (cut && !cut.processed) return cutConnection(c);
    const forced = faults.takeFailure(api);
    if (forced) return fail(forced);
    let response: Response;
    try {
      response = answer(runApi(context(c), api, fields));
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      response = fail(error.errInfo);
    }
    if (cut) return cutConnection(c); // GMO-PG acted; its answer is lost on the way
    const hold = faults.takeHold(api);
    if (hold) await new Promise((resolve) => setTimeout(resolve, hold));
    return response;
  });
}
/**
 * An answer that never comes, as a network cut would: the socket is closed under Node (a server of
 * @hono/node-server), or, where there is no socket to close, the body fails after the headers.
 */
function cutConnection(c: Context): Response {
  const socket = (c.env as { incoming?: { socket?: { destroy(): void } } } | undefined)?.incoming?.socket;
  if (socket) {
    socket.destroy();
    return new Response(null, { status: 200 });
  }
  return new Response(new ReadableStream({ pull: (controller) => controller.error(new Error('connection cut (sandbox fault)')) }), {
    headers: { 'content-type': RESPONSE_CONTENT_TYPE },
  });
}
