/**
 * The default way a GMO-PG call goes on the wire: node:http(s) through Node's global agents, which
 * keep connections alive (and follow the server's `Keep-Alive: timeout` hint, as fetch does).
 *
 * Why not the global fetch: a call through it costs about 4× the CPU of this on Node 20 and 2.5× on
 * Node 22–24 (bench/server.mjs, 5d), and a checkout makes two. Under load that CPU was what the
 * shopper waited for (5b: GMO-PG's latency, 64 connections).
 */
import type { IncomingMessage, request as nodeRequest } from 'node:http';

/** GMO-PG's answers are a few hundred bytes; anything this big is not GMO-PG's. */
export const MAX_ANSWER_BYTES = 1 << 20;

export interface PostAnswer {
  status: number;
  body: Buffer;
}

/** Sends a form and resolves with the whole answer; rejects with a `TimeoutError` when it did not come in `timeoutMs`. */
export type Post = (url: string, contentType: string, body: Uint8Array, timeoutMs: number) => Promise<PostAnswer>;

let loaded: Promise<Post | undefined> | undefined;

/**
 * `postForm` where node:http(s) can be loaded (Node, and Bun and Deno, which provide them); undefined
 * where they cannot (a Worker without Node's HTTP modules), and the caller sends with fetch.
 * Loaded on the first call rather than imported, so that such a runtime can still load this module.
 */
export function nodePost(): Promise<Post | undefined> {
  return (loaded ??= Promise.all([import('node:http'), import('node:https')]).then(
    ([http, https]): Post =>
      (url, contentType, body, timeoutMs) =>
        postForm({ 'http:': http.request, 'https:': https.request }, url, contentType, body, timeoutMs),
    () => undefined,
  ));
}

/** Errors `postForm` rejects with, told apart by `name`: `TimeoutError` (no whole answer in time), `AnswerTooLarge`, or Node's own. */
const named = (name: string, message: string) => Object.assign(new Error(message), { name });

/**
 * POSTs `body` to `url` and resolves with the status and the whole answer. Rejects when no whole
 * answer came within `timeoutMs` (counted from the start, not per read) or it passed {@link MAX_ANSWER_BYTES}.
 */
function postForm(senders: Record<string, typeof nodeRequest>, url: string, contentType: string, body: Uint8Array, timeoutMs: number): Promise<PostAnswer> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const send = senders[target.protocol];
    if (!send) return reject(new Error(`${target.protocol} is not http: or https:`));
    let settled = false;
    const fail = (error: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      reject(error);
    };
    const request = send(
      target,
      { method: 'POST', headers: { 'content-type': contentType, 'content-length': body.byteLength } },
      (response: IncomingMessage) => {
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_ANSWER_BYTES) return request.destroy(named('AnswerTooLarge', `the answer passed ${MAX_ANSWER_BYTES} bytes`));
          chunks.push(chunk);
        });
        response.on('error', fail);
        response.on('close', () => {
          if (!response.complete) fail(new Error('the connection closed before the whole answer came'));
        });
        response.on('end', () => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks, size) });
        });
      },
    );
    const timer = setTimeout(() => request.destroy(named('TimeoutError', `no answer within ${timeoutMs} ms`)), timeoutMs);
    request.on('error', fail);
    request.end(body);
  });
}
