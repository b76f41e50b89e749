import { createHash, timingSafeEqual } from 'node:crypto';

/** The fields CheckString covers. */
export interface CheckStringInput {
  orderId: string;
  accessId: string;
  shopId: string;
  shopPass: string;
  amazonChargePermissionId: string;
}

/**
 * GMO-PG's CheckString for Amazon Pay results (RetURL, and synchronous ExecTran answers):
 * lowercase hex SHA-256 of OrderID + AccessID + ShopID + ShopPass + AmazonChargePermissionID,
 * concatenated without separators. ShopPass is the secret that makes it unforgeable.
 */
export function computeCheckString(i: CheckStringInput): string {
  return createHash('sha256')
    .update(i.orderId + i.accessId + i.shopId + i.shopPass + i.amazonChargePermissionId, 'utf8')
    .digest('hex');
}

/** True when `checkString` is the one GMO-PG would send for these fields; compared in constant time. */
export function verifyCheckString(i: CheckStringInput, checkString: string | undefined | null): boolean {
  if (typeof checkString !== 'string') return false;
  const expected = Buffer.from(computeCheckString(i), 'utf8');
  const given = Buffer.from(checkString.toLowerCase(), 'utf8');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
