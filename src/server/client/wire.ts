import { isUtf8 } from 'node:buffer';
/**
 * GMO-PG's `.idPass` wire format (protocol type), both ways:
 * - requests: `application/x-www-form-urlencoded;charset=windows-31j`, every value encoded to
 *   Windows-31J bytes, then percent-encoded;
 * - responses: `Key=Value&Key=Value`, values percent-encoded Windows-31J, split on the FIRST `=`,
 *   except `Token`, which GMO-PG sends raw (it may contain `+`, which must stay a plus).
 * Used by the client and by the sandbox, so the two can never disagree on the format.
 */
import iconv from 'iconv-lite';

/** The content type of every `.idPass` request. */
export const REQUEST_CONTENT_TYPE = 'application/x-www-form-urlencoded;charset=windows-31j';
/** The content type of every `.idPass` response. */
export const RESPONSE_CONTENT_TYPE = 'text/plain;charset=windows-31j';

/** Fields GMO-PG sends without form encoding. */
const RAW_FIELDS = new Set(['Token']);

const UNRESERVED = /[A-Za-z0-9*\-._]/;

// Characters that Unicode text (e.g. Amazon's address data) often has in their JIS form, while
// Windows-31J only has the fullwidth form: sent as the Windows-31J character, which looks the same.
const WINDOWS_31J_FORMS: Record<string, string> = {
  '\u2212': '\uFF0D', // − MINUS SIGN → － (addresses: "２丁目２１−１")
  '\u301C': '\uFF5E', // 〜 WAVE DASH → ～
  '\u2016': '\u2225', // ‖ → ∥
  '\u2014': '\u2015', // — → ―
  '\u00A2': '\uFFE0', // ¢ → ￠
  '\u00A3': '\uFFE1', // £ → ￡
  '\u00AC': '\uFFE2', // ¬ → ￢
  '\u00A6': '\uFFE4', // ¦ → ￤
};
const JIS_FORMS = new RegExp(`[${Object.keys(WINDOWS_31J_FORMS).join('')}]`, 'g');

/** A value with a character that Windows-31J cannot represent: GMO-PG could not receive it. */
export class Windows31JError extends Error {
  override name = 'Windows31JError';
}

/**
 * The Windows-31J bytes of `value`. Characters with a Windows-31J twin are sent as the twin;
 * any other character Windows-31J lacks (emoji, 𠮷…) is an error naming it, never a silent "?".
 */
export function toWindows31J(value: string, field = 'value'): Buffer {
  const text = value.replace(JIS_FORMS, (c) => WINDOWS_31J_FORMS[c]);
  const bytes = iconv.encode(text, 'windows-31j');
  if (iconv.decode(bytes, 'windows-31j') !== text) {
    const bad = Array.from(text).find((ch) => iconv.decode(iconv.encode(ch, 'windows-31j'), 'windows-31j') !== ch)!;
    const code = bad.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
    throw new Windows31JError(`${field}: "${bad}" (U+${code}) has no Windows-31J code, so GMO-PG cannot receive it; replace or remove it`);
  }
  return bytes;
}

const PLAIN = /^[A-Za-z0-9*\-._]*$/;

/** Percent-encodes the Windows-31J bytes of `value` (form style: space is `+`). */
export function encodeValue(value: string, field?: string): string {
  if (PLAIN.test(value)) return value; // most fields: IDs, amounts, codes
  let out = '';
  for (const byte of toWindows31J(value, field)) {
    const ch = String.fromCharCode(byte);
    if (byte < 0x80 && UNRESERVED.test(ch)) out += ch;
    else if (byte === 0x20) out += '+';
    else out += '%' + byte.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

/** Decodes a form-encoded value whose bytes are Windows-31J (or UTF-8 with `charset`). */
export function decodeValue(encoded: string, charset = 'windows-31j'): string {
  if (PLAIN.test(encoded)) return encoded; // nothing encoded: most fields
  const bytes: number[] = [];
  for (let i = 0; i < encoded.length; i++) {
    const code = encoded.charCodeAt(i);
    if (code === 0x2b)
      bytes.push(0x20); // "+"
    else if (code === 0x25 && HEX2.test(encoded.slice(i + 1, i + 3))) {
      bytes.push(parseInt(encoded.slice(i + 1, i + 3), 16));
      i += 2;
    } else if (code < 0x80) bytes.push(code);
    else bytes.push(...iconv.encode(encoded[i], charset)); // a raw non-ASCII character, in the same charset
  }
  return iconv.decode(Buffer.from(bytes), charset);
}
const HEX2 = /^[0-9A-Fa-f]{2}$/;

/**
 * Encodes fields as an `.idPass` body: Windows-31J bytes, percent-encoded. Undefined values are
 * left out, and so are empty ones unless `keepEmpty` (GMO-PG's own notifications carry
 * `ErrCode=&ErrInfo=`; a request treats empty as absent).
 */
export function encodeForm(
  fields: Record<string, string | number | undefined>,
  raw: ReadonlySet<string> = new Set(),
  options: { keepEmpty?: boolean } = {},
): Buffer {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined || (value === '' && !options.keepEmpty)) continue;
    parts.push(`${key}=${raw.has(key) ? String(value) : encodeValue(String(value), key)}`);
  }
  return Buffer.from(parts.join('&'), 'latin1');
}

/**
 * Parses `Key=Value&...` as GMO-PG writes it: split on `&`, then on the first `=` only;
 * values decoded from Windows-31J, `Token` kept byte for byte. Trailing CR/LF is ignored.
 */
export function parseForm(body: Buffer | string, charset = 'windows-31j', rawFields: ReadonlySet<string> = RAW_FIELDS): Record<string, string> {
  const text = (typeof body === 'string' ? body : body.toString('latin1')).replace(/[\r\n]+$/, '');
  const fields: Record<string, string> = {};
  if (!text) return fields;
  for (const pair of text.split('&')) {
    const eq = pair.indexOf('=');
    const key = decodeValue(eq < 0 ? pair : pair.slice(0, eq), charset);
    const value = eq < 0 ? '' : pair.slice(eq + 1);
    fields[key] = rawFields.has(key) ? value : decodeValue(value, charset);
  }
  return fields;
}

/**
 * Which charset a form body with no `charset` was written in: UTF-8 when its percent-decoded bytes
 * are valid UTF-8 with something beyond ASCII (Amazon's own GMO-PG samples send UTF-8 this way),
 * else Windows-31J, as GMO-PG's spec says. Japanese in Windows-31J is almost never valid UTF-8.
 */
export function detectFormCharset(body: Buffer): 'utf-8' | 'windows-31j' {
  const bytes: number[] = [];
  let wide = false;
  for (let i = 0; i < body.length; i++) {
    let b = body[i];
    if (b === 0x25 && HEX2.test(body.toString('latin1', i + 1, i + 3))) {
      b = parseInt(body.toString('latin1', i + 1, i + 3), 16);
      i += 2;
    }
    if (b >= 0x80) wide = true;
    bytes.push(b);
  }
  return wide && isUtf8(Buffer.from(bytes)) ? 'utf-8' : 'windows-31j';
}

/** Encodes a response body as GMO-PG does: `Token` raw, everything else percent-encoded Windows-31J. */
export function encodeResponse(fields: Record<string, string | number | undefined>): Buffer {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    parts.push(`${key}=${RAW_FIELDS.has(key) ? String(value) : encodeValue(String(value), key)}`);
  }
  return Buffer.from(parts.join('&'), 'latin1');
}

/** One ErrCode/ErrInfo pair. */
export interface ErrorPair {
  errCode: string;
  errInfo: string;
}

/**
 * Splits `ErrCode=E01|E01&ErrInfo=E01010001|E01020001` into pairs, in order. Tolerates a trailing
 * `|` and lists of different lengths (the missing side is `unknown`), as GMO-PG's own client does.
 */
export function parseErrors(fields: Record<string, string>): ErrorPair[] {
  if (!fields.ErrCode && !fields.ErrInfo) return [];
  const split = (s?: string) => (s ? s.replace(/\|$/, '').split('|') : []);
  const codes = split(fields.ErrCode);
  const infos = split(fields.ErrInfo);
  return Array.from({ length: Math.max(codes.length, infos.length) }, (_, i) => ({
    errCode: codes[i] || (infos[i] ? infos[i].slice(0, 3) : 'unknown'),
    errInfo: infos[i] || 'unknown',
  }));
}

/** Joins pairs into the two `|`-separated fields. */
export function joinErrors(pairs: ErrorPair[]): { ErrCode: string; ErrInfo: string } {
  return { ErrCode: pairs.map((p) => p.errCode).join('|'), ErrInfo: pairs.map((p) => p.errInfo).join('|') };
}
