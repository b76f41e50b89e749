/** A page-unique id; random so that two bundle copies on one page never collide. */
export const uniqueId = () => `amazon-pay-v2-${Math.random().toString(36).slice(2, 10)}`;

/**
 * Runs a checkout.js call that looks `selector` up with `document.querySelector`.
 * When `el` sits inside a shadow root, that lookup cannot see it, so for the duration
 * of this synchronous call (checkout.js looks the selector up first thing) the lookup
 * of exactly this selector answers `el`; every other lookup is untouched.
 */
export function callWithLookup<T>(el: Element, selector: string, call: () => T): T {
  if (el.getRootNode() == document) return call();
  const original = document.querySelector;
  const own = Object.hasOwn(document, 'querySelector');
  document.querySelector = function (this: Document, s: string) {
    return s == selector ? el : original.call(this, s);
  };
  try {
    return call();
  } finally {
    if (own) document.querySelector = original;
    else delete (document as { querySelector?: unknown }).querySelector;
  }
}

/** checkout.js throws plain strings that start with "AmazonPay:\n"; this gives their text. */
export const thrownText = (thrown: unknown) =>
  typeof thrown == 'string' ? thrown.replace(/^AmazonPay:\s*/, '').replace(/\n/g, ' ') : String((thrown as Error)?.message ?? thrown);
