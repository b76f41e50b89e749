// How Amazon's own GMO-PG sample apps (amazonpay-labs/amazonpaycpsp-gmosampleapp-2step and -apb,
// nodejs/app.js) call GMO-PG, rewritten for the tests that replay them: a querystring body (UTF-8, no
// charset, as axios sends a string), the answer split on & and =, the Token kept raw.
import { stringify } from 'node:querystring';
import { parseForm } from '../../../src/server/client/wire.js';

/** The samples' callAPI against `baseUrl` (GMO-PG's, ending in /payment/): the answer's fields, or an Error naming the ErrInfo. */
export async function sampleCallAPI(baseUrl: string, name: string, params: Record<string, string>): Promise<Record<string, string>> {
  const response = await fetch(`${baseUrl}${name}.idPass`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: stringify(params),
  });
  const obj: Record<string, string> = {};
  for (const item of (await response.text()).split('&')) {
    const [key, value] = item.split('=');
    obj[key] = key === 'Token' ? value : parseForm(`x=${value}`).x;
  }
  if (obj.ErrCode) throw new Error(`${name}: ${obj.ErrInfo}`);
  return obj;
}
