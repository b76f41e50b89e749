/**
 * The shop's public origin, as the endpoint uses it for the checkout's Origin check and for the
 * RetURL it sends GMO-PG. It comes from `publicUrl` when set. Otherwise it is the request's own
 * (its Host header), which anyone can set: `allowedHosts` limits which Host values are believed.
 */
import type { Logger } from '../../telemetry/logger.js';

export interface PublicOriginOptions {
  publicUrl?: string;
  allowedHosts?: string[];
}

/** The request URL → the origin to use, or the reason when its Host is not one of ours. */
export type PublicOrigin = (requestUrl: string) => { origin: string } | { refused: string };

export function publicOriginOf(options: PublicOriginOptions, logger: Logger, name = 'createAmazonPayHandler'): PublicOrigin {
  if (options.publicUrl !== undefined) {
    const origin = URL.canParse(options.publicUrl) ? new URL(options.publicUrl).origin : 'null';
    // Checked here, not on the first checkout: a bad value would otherwise fail every request.
    if (!/^https?:\/\//.test(origin)) {
      throw new Error(
        `${name}: publicUrl ${JSON.stringify(options.publicUrl)} is not an http(s) URL: give the shop's public origin, e.g. https://shop.example`,
      );
    }
    return () => ({ origin });
  }
  if (options.allowedHosts) {
    if (
      !Array.isArray(options.allowedHosts) ||
      !options.allowedHosts.length ||
      options.allowedHosts.some((h) => typeof h !== 'string' || !/^[a-z0-9.[\]:-]+$/i.test(h))
    ) {
      throw new Error(`${name}: allowedHosts must list host names as the browser sends them, e.g. ["shop.example", "127.0.0.1:5173"]`);
    }
    const hosts = new Set(options.allowedHosts.map((h) => h.toLowerCase()));
    return (requestUrl) => {
      const url = new URL(requestUrl);
      if (hosts.has(url.host.toLowerCase()) || hosts.has(url.hostname.toLowerCase())) return { origin: url.origin };
      return { refused: `Host ${url.host} is not in allowedHosts; add it there, or set publicUrl` };
    };
  }
  logger.warn(
    'neither publicUrl nor allowedHosts is set: the RetURL sent to GMO-PG and the checkout\'s Origin check follow the request\'s Host header; set publicUrl (e.g. "https://shop.example") in production',
  );
  return (requestUrl) => ({ origin: new URL(requestUrl).origin });
}
