/**
 * Where the server module reports what happened. Values under secret-looking keys never reach it.
 * Any object with info/warn/error fits: the console, winston (`info(message, meta)`), and pino or
 * bunyan, which take the data first (`info(data, message)`): those are recognised and called so.
 */
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

/** Whether `logger` takes its data before the message, as pino (`bindings()`) and bunyan (`streams`) do. */
function dataFirst(logger: object): boolean {
  const l = logger as { bindings?: unknown; streams?: unknown; levels?: unknown };
  return typeof l.bindings === 'function' || (Array.isArray(l.streams) && typeof l.levels === 'function');
}

/** The logger the handler was given, called the way it expects (pino and bunyan take the data first). */
export function adaptLogger(logger: Logger): Logger {
  if (!dataFirst(logger)) return logger;
  type DataFirst = (data: Record<string, unknown>, message: string) => void;
  const call = (level: 'info' | 'warn' | 'error') => (m: string, d?: Record<string, unknown>) =>
    (logger[level] as unknown as DataFirst).call(logger, d ?? {}, m);
  return { info: call('info'), warn: call('warn'), error: call('error') };
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
