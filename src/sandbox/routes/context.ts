/**
 * What the sandbox's route families share: its settings, its records and the GMO-PG context of a
 * request. Each family (amazon.ts, gmo-start.ts, gmo-api.ts, control.ts) adds its routes to `r`.
 */
import type { Context, Hono } from 'hono';
import type { KeyObject } from 'node:crypto';
import type { SandboxOptions } from '../app.js';
import type { FaultBox } from '../faults.js';
import type { GmoContext } from '../gmo/api.js';
import type { SandboxState } from '../state.js';

export interface SandboxParts {
  options: SandboxOptions;
  /** The path the routes and links are under ('' for none). */
  base: string;
  shopId: string;
  state: SandboxState;
  faults: FaultBox;
  /** The checkout.js stand-in's file (beside the sandbox's module, in the sources and in dist/node). */
  standIn: URL;
  /** Amazon's public key, when button signatures are verified. */
  publicKey?: KeyObject;
  /** The GMO-PG context of a request (its start URL follows the request's origin). */
  gmo(c: Pick<Context, 'req'> | { req: { url: string } }): GmoContext;
  /** How long a GMO-PG call waits before it answers (the `latencyMs` option), in ms. */
  latency(): number;
}

export type SandboxRoutes = Hono;

/** A form field as text: parseBody gives a File for a multipart upload, which no field here takes. */
export const formText = (value: unknown, otherwise = ''): string => (typeof value === 'string' && value ? value : otherwise);

/** A form's choice of address or card, as an index into the fixtures (0 when absent or out of range). */
export const choiceIndex = (value: unknown, length: number) => {
  const n = Number(value ?? 0);
  return Number.isInteger(n) && n >= 0 && n < length ? n : 0;
};
