/**
 * GET /metrics (opt-in: `metrics: { route: true }`): the Prometheus text of the handler's
 * registry. With `{ bearerToken }`, only for `Authorization: Bearer <token>`; either way the
 * shop's Host check does not apply, so that a scraper inside the network can reach it.
 */
import { timingSafeEqual } from 'node:crypto';
import type { MetricsOptions, MetricsRegistry } from '../../telemetry/metrics.js';
import { jsonError, type Routes } from './context.js';

/** Throws when `route` asks for a token but gives none: `process.env.X` unset would serve the metrics to `Bearer undefined`. */
export function checkMetricsRoute(route: MetricsOptions['route']): void {
  if (typeof route !== 'object' || route === null) return;
  const token: unknown = route.bearerToken;
  if (typeof token !== 'string' || token.trim().length < 16) {
    throw new Error(
      `createAmazonPayHandler: metrics.route.bearerToken is ${typeof token === 'string' ? `${token.trim().length} characters long` : String(token)}: ` +
        'give a secret of at least 16 characters (is its environment variable set?), or use route: true only where the network keeps others out',
    );
  }
}

export function metricsRoute(routes: Routes, registry: MetricsRegistry, route: NonNullable<MetricsOptions['route']>): void {
  checkMetricsRoute(route);
  const token = typeof route === 'object' ? Buffer.from(`Bearer ${route.bearerToken}`) : undefined;
  routes.get('/metrics', async (c) => {
    if (token) {
      const given = Buffer.from(c.req.header('authorization') ?? '');
      if (given.length !== token.length || !timingSafeEqual(given, token)) {
        c.header('www-authenticate', 'Bearer');
        return jsonError(c, 401, { code: 'METRICS_UNAUTHORIZED', message: 'send Authorization: Bearer <the bearerToken of metrics.route>' });
      }
    }
    return c.body(await registry.metrics(), 200, { 'content-type': registry.contentType });
  });
}
