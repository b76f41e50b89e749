/**
 * The default way a GMO-PG call goes on the wire: node:http(s) through Node's global agents, which
 * keep connections alive (and follow the server's `Keep-Alive: timeout` hint, as fetch does).
 *
 * Why not the global fetch: a call through it costs about 4× the CPU of this on Node 20 and 2.5× on
 * Node 22–24 (bench/server.mjs, 5d), and a checkout makes two. Under load that CPU was what the
 * shopper waited for (5b: GMO-PG's latency, 64 connections).
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';

/** GMO-PG's answers are a few hundred bytes; anything this big is not GMO-PG's. */
export const MAX_ANSWER_BYTES = 1 << 20;

export interface PostAnswer {
  status: number;
  body: Buffer;
}

/** Errors `postForm` rejects with, told apart by `name`: `TimeoutError` (no whole answer in time), `AnswerTooLarge`, or Node's own. */
const named = (name: string, message: string) => Object.assign(new Error(message), { name });

/**
 * POSTs `body` to `url` and resolves with the status and the whole answer. Rejects when no whole
 * answer came within `timeoutMs` (counted from the start, not per read) or it passed {@link MAX_ANSWER_BYTES}.
 */
export function postForm(url: string, contentType: string, body: Uint8Array, timeoutMs: number): Promise<PostAnswer> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const send = target.protocol === 'https:' ? httpsRequest : target.protocol === 'http:' ? httpRequest : undefined;
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
