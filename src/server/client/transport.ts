/**
 * One GMO-PG API call on the wire: the form in Windows-31J with the shop's credentials, POSTed to
 * `<baseUrl><api>.idPass`; the answer parsed, GMO-PG's `ErrCode`/`ErrInfo` thrown as a GmoPgError
 * and anything that is not GMO-PG's answer (no answer, an HTTP error, another format) as a
 * GmoPgTransportError naming what to check.
 */
import { GmoPgError, GmoPgTransportError } from './errors.js';
import { nodePost, type Post, type PostAnswer } from './node-post.js';
import { REQUEST_CONTENT_TYPE, encodeForm, parseErrors, parseForm } from './wire.js';

export interface Transport {
  shopId: string;
  shopPass: string;
  baseUrl: string;
  timeoutMs: number;
  /** A fetch to send with instead of node:http(s) (tests, a proxy's dispatcher). */
  fetch?: typeof fetch;
}

const viaFetch =
  (fetchFn: typeof fetch): Post =>
  async (url, contentType, body, timeoutMs): Promise<PostAnswer> => {
    const response = await fetchFn(url, {
      method: 'POST',
      headers: { 'content-type': contentType },
      body: new Uint8Array(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
    return { status: response.status, body: Buffer.from(await response.arrayBuffer()) };
  };

export async function postToGmoPg(settings: Transport, api: string, fields: Record<string, string | number | undefined>): Promise<Record<string, string>> {
  const url = `${settings.baseUrl}${api}.idPass`;
  // Encoded first: a value Windows-31J cannot carry is the caller's error (Windows31JError), not a network one.
  const request = encodeForm({ ShopID: settings.shopId, ShopPass: settings.shopPass, ...fields });
  let answer: PostAnswer;
  try {
    const post = settings.fetch ? viaFetch(settings.fetch) : ((await nodePost()) ?? viaFetch(fetch));
    answer = await post(url, REQUEST_CONTENT_TYPE, request, settings.timeoutMs);
  } catch (error) {
    const { name, message } = (error ?? {}) as Error;
    if (name === 'AnswerTooLarge') throw new GmoPgTransportError(api, `${message}: not GMO-PG's answer, check baseUrl`, 'protocol', { cause: error });
    const timedOut = name === 'TimeoutError';
    throw new GmoPgTransportError(
      api,
      timedOut ? `no answer within ${settings.timeoutMs} ms` : `could not reach ${settings.baseUrl}: ${message}`,
      timedOut ? 'timeout' : 'network',
      { cause: error },
    );
  }
  const { status, body } = answer;
  if (status !== 200) {
    throw new GmoPgTransportError(api, `HTTP ${status} from ${settings.baseUrl} (GMO-PG always answers 200): check baseUrl`, 'protocol');
  }
  const parsed = parseForm(body);
  if (!Object.keys(parsed).length || !/^[A-Za-z0-9]+=/.test(body.toString('latin1'))) {
    throw new GmoPgTransportError(api, `the answer is not GMO-PG's key=value format: check baseUrl`, 'protocol');
  }
  const errors = parseErrors(parsed);
  if (errors.length) throw new GmoPgError(api, errors, false);
  return parsed;
}
