// Shared helpers for the browser tests: stand-in URLs, a clean page, event capture, form capture.
import { oneEvent } from '@open-wc/testing';

let seq = 0;
/** A fresh key, so that server-side counters and script URLs never mix between tests. */
export const freshKey = () => `k${Date.now().toString(36)}${++seq}`;

export interface StandInOptions {
  key?: string;
  delay?: number;
  status?: number;
  failFirst?: number;
  region?: 'fe' | 'na' | 'eu';
}

/** URL of the checkout.js stand-in, served over HTTP by the test server; it never navigates (submit=0). */
export function standInUrl(o: StandInOptions = {}): string {
  const q = new URLSearchParams({ submit: '0', key: o.key ?? freshKey() });
  if (o.delay) q.set('delay', String(o.delay));
  if (o.status) q.set('status', String(o.status));
  if (o.failFirst) q.set('failFirst', String(o.failFirst));
  if (o.region) q.set('region', o.region);
  return `/amazon/checkout.js?${q}`;
}

/** Forgets any loaded checkout.js, so that the next test loads it again. */
export function resetAmazon() {
  delete (window as { amazon?: unknown }).amazon;
  delete (window as { __amazonPayFake?: unknown }).__amazonPayFake;
  document.querySelectorAll('script[src*="/amazon/checkout.js"]').forEach((s) => s.remove());
  document.cookie = 'language=;max-age=0;path=/';
  document.cookie = 'ledgerCurrency=;max-age=0;path=/';
}

export interface FakeRecord {
  selector: string;
  options: Record<string, unknown>;
  host: HTMLElement;
  clicks: number;
  amount?: { amount: string; currencyCode: string };
}
export interface Fake {
  loadCount: number;
  renders: FakeRecord[];
  initiations: { action: string; kind: string; via: string; fields: Record<string, string> }[];
  changeActions: { amazonCheckoutSessionId: string; changeAction: string; url: string }[];
  /** Window resize listeners added by renders and never removed (as the real script does). */
  resizeListeners: number;
  /** Buy Now runs: the cart onInitCheckout gave, what onCompleteCheckout got and answered. */
  buyNow: { cart?: Record<string, { amount: string }>; completed?: Record<string, string>; status?: string; cancelled: boolean }[];
}
/** What the stand-in recorded. */
export const fake = () => (window as unknown as { __amazonPayFake: Fake }).__amazonPayFake;

/** Server-side counters for a key: endpoint requests, script requests and the last endpoint body. */
export async function serverSeen(key: string): Promise<{ count: number; script: number; last: { body: string; contentType: string } | null }> {
  return (await fetch(`/merchant/count?key=${key}`)).json();
}

/** Collects every amazon-pay-error event that reaches `target`. */
export function collectErrors(target: EventTarget) {
  const errors: { code: string; field?: string; message: string; status?: number; gmoErrors?: unknown[]; userMessage?: string }[] = [];
  target.addEventListener('amazon-pay-error', (e) => errors.push((e as CustomEvent).detail));
  return errors;
}

/**
 * Catches the next form the page submits, lets it post for real into a hidden iframe instead of
 * navigating the test page away, and resolves with the raw request body the server received.
 */
export function captureNextFormPost(): Promise<{ form: HTMLFormElement; raw: string; contentType: string }> {
  const frame = document.createElement('iframe');
  frame.name = `sink-${freshKey()}`;
  frame.hidden = true;
  document.body.append(frame);
  return new Promise((resolve) => {
    window.addEventListener(
      'submit',
      (event) => {
        const form = event.target as HTMLFormElement;
        form.target = frame.name;
        frame.addEventListener(
          'load',
          () => {
            const doc = frame.contentDocument!;
            resolve({ form, raw: doc.getElementById('body')!.textContent, contentType: doc.getElementById('type')!.textContent });
            frame.remove();
          },
          { once: true },
        );
      },
      { capture: true, once: true },
    );
  });
}

/** Resolves once `el` fires amazon-pay-ready (or rejects on amazon-pay-error). */
export function readyOrError(el: EventTarget): Promise<Event> {
  return Promise.race([
    oneEvent(el, 'amazon-pay-ready'),
    oneEvent(el, 'amazon-pay-error').then((e) => {
      throw new Error(`amazon-pay-error: ${e.detail.message}`);
    }),
  ]);
}

export const nextFrame = () => new Promise((r) => requestAnimationFrame(() => r(undefined)));
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const mounted: Element[] = [];
/**
 * Puts `markup` into the page, with error and ready listeners attached before the element
 * connects (so no early event is missed). Call `unmountAll()` after each test.
 */
export function mount<T extends HTMLElement>(markup: string, parent: ParentNode = document.body) {
  const wrap = document.createElement('div');
  wrap.innerHTML = markup;
  const el = wrap.firstElementChild as T;
  const errors = collectErrors(el);
  const ready = readyOrError(el);
  ready.catch(() => {}); // a test that expects an error never awaits ready
  parent.append(wrap);
  mounted.push(wrap);
  return { el, errors, ready, wrap };
}
export function unmountAll() {
  mounted.splice(0).forEach((w) => w.remove());
}
