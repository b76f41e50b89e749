/**
 * OpenTelemetry spans around each GMO-PG call, when the shop has an OpenTelemetry SDK. Only the
 * API package is used (an optional peer): without it, or without an SDK registered, the API's
 * tracer does nothing and costs nothing. No secret goes into a span: the API name, the OrderID,
 * the outcome and GMO-PG's error codes.
 */
import type * as OtelApi from '@opentelemetry/api';
import { importOptional } from './optional.js';

let api: Promise<typeof OtelApi | undefined> | undefined;
const loadApi = () => (api ??= importOptional<typeof OtelApi>('@opentelemetry/api').catch(() => undefined));

/** What a traced call reports besides its duration. */
export interface CallOutcome {
  /** `ok`, or why not: `error` (GMO-PG answered an error code), `timeout`, `network`, `protocol`. */
  result: string;
  /** GMO-PG's ErrInfo codes when it answered an error. */
  codes?: string[];
}

/** Runs `fn` in a CLIENT span `GMO-PG <api>` (when an SDK is registered); `outcomeOf` describes a failure. */
export async function traceGmoCall<T>(
  apiName: string,
  orderId: string | undefined,
  fn: () => Promise<T>,
  outcomeOf: (error: unknown) => CallOutcome,
): Promise<T> {
  const otel = await loadApi();
  if (!otel) return fn();
  const tracer = otel.trace.getTracer('amazon-pay-v2');
  return tracer.startActiveSpan(
    `GMO-PG ${apiName}`,
    { kind: otel.SpanKind.CLIENT, attributes: { 'gmo_pg.api': apiName, ...(orderId && { 'gmo_pg.order_id': orderId }) } },
    async (span) => {
      try {
        const value = await fn();
        span.setAttribute('gmo_pg.result', 'ok');
        return value;
      } catch (error) {
        const outcome = outcomeOf(error);
        span.setAttribute('gmo_pg.result', outcome.result);
        if (outcome.codes?.length) span.setAttribute('gmo_pg.err_info', outcome.codes.join('|'));
        span.recordException(error as Error);
        span.setStatus({ code: otel.SpanStatusCode.ERROR, message: (error as Error).message });
        throw error;
      } finally {
        span.end();
      }
    },
  );
}
