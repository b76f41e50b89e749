/**
 * amazon-pay-v2/server: GMO-PG's Amazon Pay V2 protocol for the merchant's server.
 */
// Named one by one: what is public is chosen here, not by whatever a module happens to export.
export {
  createGmoPgClient,
  TEST_BASE_URL,
  PRODUCTION_BASE_URL,
  type GmoPgClient,
  type GmoPgConfig,
  type GmoPgCallObserver,
  type JobCd,
  type Frequency,
  type EntryTranInput,
  type EntryTranResult,
  type ExecTranSessionInput,
  type ExecTranApbInput,
  type ExecTranChargePermissionInput,
  type StartResult,
  type ChargeResult,
  type AmountInput,
  type AmountResult,
  type CancelInput,
  type CancelResult,
  type Address,
  type AddressResult,
  type ChargePermissionResult,
  type TradeResult,
} from './client/gmo-pg-client.js';
/** The GMO-PG settings as the client reads them (options, then GMO_PG_* variables). Its result holds ShopPass: never log it. */
export { resolveConfig } from './client/gmo-pg-client.js';
export { GmoPgError, GmoPgTransportError, type GmoPgErrorDetail } from './client/errors.js';
export { ERROR_CODES, SANDBOX_CODES, RATE_LIMIT_CODES, type ErrorCodeInfo } from './client/error-codes.js';
export { computeCheckString, verifyCheckString, type CheckStringInput } from './client/check-string.js';
export {
  Windows31JError,
  toWindows31J,
  encodeForm,
  parseForm,
  encodeResponse,
  parseErrors,
  joinErrors,
  encodeValue,
  decodeValue,
  REQUEST_CONTENT_TYPE,
  RESPONSE_CONTENT_TYPE,
  type ErrorPair,
} from './client/wire.js';
export { createAmazonPayHandler, type AmazonPayHandler, type AmazonPayHandlerOptions, type ResolveOrderInput, type Outcome } from './endpoint/handler.js';
export { checkOrderSpec, OrderSpecError, type OrderSpec } from './payments/order-spec.js';
export { createBackOffice, BackOfficeError, type BackOffice } from './ops/back-office.js';
export { openOrderStore, storeLocation } from './orders/open-store.js';
export { SqlOrderStore } from './orders/sql-store.js';
export { MemoryOrderStore } from './orders/memory-store.js';
export { openPglite, openPostgres, StoreUnavailableError, type Sql, type PostgresTimeouts } from './orders/sql.js';
export {
  publicOrder,
  type PublicOrder,
  type Order,
  type OrderEvent,
  type OrderStage,
  type OrderStore,
  type EventSource,
  type OrderKind,
  type ListOptions,
  type PurgeOptions,
  type PurgeBatch,
  FINAL_STAGES,
  ORDER_STAGES,
} from './orders/types.js';
export { newOrderId } from './orders/order-id.js';
export { failureOf, type FailureAnswer } from './endpoint/failure.js';
export { reconcile } from './ops/reconcile.js';
export {
  GMO_PG_STATUSES,
  PAID_STATUSES,
  UNPAID_STATUSES,
  FAILED_STATUSES,
  UNSETTLED_STATUSES,
  OPEN_STAGES,
  AUTHORIZATION_LIFETIME_MS,
  stageFor,
  permission,
  refundable,
  type GmoPgStatus,
  type Operation,
  type Permission,
  type MoneyState,
} from './payments/lifecycle.js';
export { reconcileOrders, type ReconcileOptions, type ReconcileSummary } from './ops/sweeper.js';
export { consoleLogger, safeLogger, adaptLogger, redact, type Logger } from './telemetry/logger.js';
export { createPromMetrics, PROM_CLIENT_INSTALL, type Metrics, type MetricsOptions, type MetricsRegistry } from './telemetry/metrics.js';
export type { CallOutcome } from './telemetry/tracing.js';
export { purgeOrders, jsonLinesArchive, type PurgeOrdersOptions, type PurgeArchive } from './ops/retention.js';
export { toNodeListener, type HasApp } from './endpoint/node-listener.js';
export { checkoutJsLink } from './endpoint/http/checkout-js-link.js';
export { amazonPayRoutes, type AmazonPayRoutes } from './endpoint/lazy-routes.js';
