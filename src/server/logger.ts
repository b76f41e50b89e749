/** Where the server module reports what happened. Values under secret-looking keys never reach it. */
export interface Logger {
  info(message: string, data?: Record<string, unknown>): void;
  warn(message: string, data?: Record<string, unknown>): void;
  error(message: string, data?: Record<string, unknown>): void;
}

const SECRET_KEY = /pass|token|checkstring|secret|password/i;

/** A copy of `data` with every value under a secret-looking key replaced by "[redacted]". */
export function redact(data: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  if (!data) return data;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(data)) {
    out[k] = SECRET_KEY.test(k) ? '[redacted]' : v && typeof v === 'object' && !Array.isArray(v) ? redact(v as Record<string, unknown>) : v;
  }
  return out;
}

/** Wraps a logger so that nothing secret-looking gets through, whatever a caller passes. */
export function safeLogger(logger: Logger): Logger {
  return {
    info: (m, d) => logger.info(m, redact(d)),
    warn: (m, d) => logger.warn(m, redact(d)),
    error: (m, d) => logger.error(m, redact(d)),
  };
}

/** The default: one line per event on the console, JSON data. */
export const consoleLogger: Logger = {
  info: (m, d) => console.info(`[amazon-pay-v2] ${m}${d ? ' ' + JSON.stringify(d) : ''}`),
  warn: (m, d) => console.warn(`[amazon-pay-v2] ${m}${d ? ' ' + JSON.stringify(d) : ''}`),
  error: (m, d) => console.error(`[amazon-pay-v2] ${m}${d ? ' ' + JSON.stringify(d) : ''}`),
};
