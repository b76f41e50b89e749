import { randomBytes } from 'node:crypto';

/**
 * A fresh GMO-PG OrderID: at most 27 characters of [A-Za-z0-9-] (GMO-PG's rule), unique without
 * coordination between servers (time + 60 random bits), and sortable by creation time.
 */
export function newOrderId(prefix = 'AP'): string {
  if (!/^[A-Za-z0-9]{0,6}$/.test(prefix)) throw new Error(`order ID prefix "${prefix}": use at most 6 letters or digits`);
  const time = Date.now().toString(36).toUpperCase().padStart(9, '0');
  const random = BigInt('0x' + randomBytes(8).toString('hex')) & ((1n << 60n) - 1n);
  return `${prefix}${time}-${random.toString(36).toUpperCase().padStart(12, '0')}`;
}
