/**
 * The sandbox's own controls, for tests and the demo: arming faults (from this machine and the same
 * site only, every value checked) and the records without secrets.
 */
import { API_NAMES } from '../gmo/api.js';
import { parseFaults } from '../faults.js';
import type { SandboxParts, SandboxRoutes } from './context.js';

export function controlRoutes(r: SandboxRoutes, { options, state, faults }: SandboxParts): void {
  // A page on another site must not switch faults on (a cross-site form can post text/plain, a
  // script is refused by its Origin), nor another machine (a program sets any Origin it likes), and
  // every value is checked before anything is armed.
  r.post('/__sandbox/faults', async (c) => {
    const peer = (c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming?.socket?.remoteAddress;
    if (!options.faultsFromAnywhere && !(peer && /^(127\.|::1$|::ffff:127\.)/.test(peer))) {
      return c.json(
        {
          error: {
            code: 'FORBIDDEN',
            message: `fault settings are taken from this machine only (the request came from ${peer ?? 'an unknown peer'}); createSandbox({ faultsFromAnywhere: true }) opens them`,
          },
        },
        403,
      );
    }
    const from = c.req.header('origin');
    if ((from && from !== new URL(c.req.url).origin) || c.req.header('sec-fetch-site') === 'cross-site') {
      return c.json({ error: { code: 'FORBIDDEN', message: 'fault settings are taken from the same site only' } }, 403);
    }
    if (!/^application\/json\b/i.test(c.req.header('content-type') ?? '')) {
      return c.json({ error: { code: 'UNSUPPORTED_MEDIA_TYPE', message: 'send JSON (content-type: application/json)' } }, 415);
    }
    const parsed = parseFaults(await c.req.text(), API_NAMES);
    if ('error' in parsed) return c.json({ error: { code: 'BAD_REQUEST', ...parsed.error } }, 400);
    const f = parsed.faults;
    if (f.clear) faults.clear();
    if (f.failNext) faults.failNext(f.failNext.api, f.failNext.errInfo, f.failNext.times);
    if (f.delayNext) faults.delayNext(f.delayNext.api, f.delayNext.ms, f.delayNext.times);
    if (f.holdAnswerNext) faults.holdAnswerNext(f.holdAnswerNext.api, f.holdAnswerNext.ms, f.holdAnswerNext.times);
    if (f.cutNext) faults.cutNext(f.cutNext.api, { processed: f.cutNext.processed, times: f.cutNext.times });
    if (f.declineNext) faults.declineNext(f.declineNext);
    if (f.dropNotifications) faults.dropNotifications(f.dropNotifications);
    if (f.authenticateNext) faults.authenticateNext(f.authenticateNext);
    return c.json({ ok: true });
  });
  // The records, without secrets: what a test compares the merchant's own records with.
  r.get('/__sandbox/trades', (c) => c.json([...state.trades.values()].map(({ accessPass: _pass, token: _token, ...t }) => t)));
}
