/**
 * How the CLI prints: JSON on stdout with --json (one document per command), else short lines
 * and tables for people. Messages and progress go to stderr, so stdout stays clean for pipes.
 */
import type { OrderEvent, PublicOrder } from '../server/index.js';

const yen = (n: number) => `${n.toLocaleString('en-US')} yen`;

export function orderTable(orders: readonly PublicOrder[]): string {
  if (!orders.length) return 'no orders\n';
  const rows = [
    ['ORDER ID', 'KIND', 'STAGE', 'STATUS', 'AMOUNT', 'CREATED'],
    ...orders.map((o) => [o.orderId, o.kind, o.stage, o.status ?? '-', String(o.amount + o.tax), o.createdAt.replace('T', ' ').slice(0, 19)]),
  ];
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return (
    rows
      .map((r) =>
        r
          .map((cell, i) => (i === 4 ? cell.padStart(widths[i]) : cell.padEnd(widths[i])))
          .join('  ')
          .trimEnd(),
      )
      .join('\n') + '\n'
  );
}

export function orderDetail(order: PublicOrder, history?: readonly OrderEvent[]): string {
  const lines = [
    `order     ${order.orderId} (${order.kind})`,
    `stage     ${order.stage}${order.status ? `, GMO-PG status ${order.status}` : ''}`,
    `amount    ${yen(order.amount)}${order.tax ? ` + tax ${yen(order.tax)}` : ''}${order.cancelAmount || order.cancelTax ? `, refunded ${yen(order.cancelAmount + order.cancelTax)}` : ''}`,
  ];
  if (order.chargePermissionId)
    lines.push(`consent   ${order.chargePermissionId}${order.frequencyUnit ? ` (every ${order.frequencyValue} ${order.frequencyUnit})` : ''}`);
  if (order.parentOrderId) lines.push(`charges   the consent of ${order.parentOrderId}`);
  if (order.errorCodes) lines.push(`errors    ${order.errorCodes}`);
  lines.push(`created   ${order.createdAt}`, `updated   ${order.updatedAt}`);
  if (history) {
    lines.push('', 'history');
    for (const e of history) lines.push(`  ${e.at}  ${e.source.padEnd(12)} ${e.event}${e.status ? ` → ${e.status}` : ''}`);
  }
  return lines.join('\n') + '\n';
}

export { yen };
