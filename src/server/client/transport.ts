/**
 * One GMO-PG API call on the wire: the form in Windows-31J with the shop's credentials, POSTed to
 * `<baseUrl><api>.idPass`; the answer parsed, GMO-PG's `ErrCode`/`ErrInfo` thrown as a GmoPgError
 * and anything that is not GMO-PG's answer (no answer, an HTTP error, another format) as a
 * GmoPgTransportError naming what to check.
 */
import { GmoPgError, GmoPgTransportError } from './errors.js';
import { REQUEST_CONTENT_TYPE, encodeForm, parseErrors, parseForm } from './wire.js';

export interface Transport {
  shopId: string;
  shopPass: string;
  baseUrl: string;
  timeoutMs: number;
  fetch: typeof fetch;
}

export async function postToGmoPg(settings: Transport, api: string, fields: Record<string, string | number | undefined>): Promise<Record<string, string>> {
  const url = `${settings.baseUrl}${api}.idPass`;
  // Encoded first: a value Windows-31J cannot carry is the caller's error (Windows31JError), not a network one.
  const request = encodeForm({ ShopID: settings.shopId, ShopPass: settings.shopPass, ...fields });
  let response: Response;
  let body: Buffer;
  try {
    response = await settings.fetch(url, {
      method: 'POST',
      headers: { 'content-type': REQUEST_CONTENT_TYPE },
      body: new Uint8Array(request),
      signal: AbortSignal.timeout(settings.timeoutMs),
    });
    body = Buffer.from(await response.arrayBuffer());
  } catch (error) {
    const timedOut = (error as Error)?.name === 'TimeoutError';
    throw new GmoPgTransportError(
      api,
      timedOut ? `no answer within ${settings.timeoutMs} ms` : `could not reach ${settings.baseUrl}: ${(error as Error)?.message}`,
      timedOut ? 'timeout' : 'network',
      { cause: error },
    );
  }
  if (response.status !== 200) {
    throw new GmoPgTransportError(api, `HTTP ${response.status} from ${settings.baseUrl} (GMO-PG always answers 200): check baseUrl`, 'protocol');
  }
  const parsed = parseForm(body);
  if (!Object.keys(parsed).length || !/^[A-Za-z0-9]+=/.test(body.toString('latin1'))) {
    throw new GmoPgTransportError(api, `the answer is not GMO-PG's key=value format: check baseUrl`, 'protocol');
  }
  const errors = parseErrors(parsed);
  if (errors.length) throw new GmoPgError(api, errors, false);
  return parsed;
}
