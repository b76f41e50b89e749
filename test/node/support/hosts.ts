// A shop's server process in a fixture app, as the host tests start it: only the GMO-PG settings
// of a sandbox that notifies it, its port and its public origin in the environment.
import { spawn, type ChildProcess } from 'node:child_process';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, payApb, postForm, startSandbox, type RunningSandbox } from './servers.js';

export interface ShopProcess {
  origin: string;
  sandbox: RunningSandbox;
  /** What the process has printed so far (stdout and stderr). */
  log(): string;
  /** Resolves once the log matches `pattern` (fails after `ms`). */
  logged(pattern: RegExp, ms?: number): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts `command args` in `dir` on a free port (PORT, plus HOST, ORIGIN and PUBLIC_URL for hosts that
 * read them) with a fresh sandbox whose notifications go to `${origin}${basePath}/notify`; resolves
 * once `readyPath` answers anything.
 */
export async function startShopProcess(
  dir: string,
  command: string,
  args: string[],
  options: { readyPath?: string; basePath?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<ShopProcess> {
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const sandbox = await startSandbox({ notifyUrl: `${origin}${options.basePath ?? '/api/amazon-pay'}/notify` });
  const env = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    PORT: String(port),
    HOST: '127.0.0.1',
    ORIGIN: origin,
    PUBLIC_URL: origin,
    GMO_PG_BASE_URL: sandbox.baseUrl,
    GMO_PG_SHOP_ID: sandbox.shopId,
    GMO_PG_SHOP_PASS: sandbox.shopPass,
    ...options.env,
  };
  const child: ChildProcess = spawn(command, args, { cwd: dir, env });
  let log = '';
  child.stdout!.on('data', (d) => (log += d));
  child.stderr!.on('data', (d) => (log += d));
  const stop = async () => {
    if (child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill();
      await exited;
    }
    await sandbox.stop();
  };
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) {
      await sandbox.stop();
      throw new Error(`${command} ${args.join(' ')} exited ${child.exitCode}: ${log}`);
    }
    if (
      await fetch(`${origin}${options.readyPath ?? '/'}`).then(
        () => true,
        () => false,
      )
    )
      break;
    if (i > 600) {
      await stop();
      throw new Error(`${command} ${args.join(' ')} never answered: ${log}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    origin,
    sandbox,
    log: () => log,
    async logged(pattern, ms = 10_000) {
      for (const end = Date.now() + ms; !pattern.test(log);) {
        if (Date.now() > end) throw new Error(`the log never matched ${pattern}:\n${log}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    stop,
  };
}

/**
 * One APB payment through `shop`, checked end to end: RetURL lands on the completion page with
 * success, GMO-PG holds the authorization, and the sandbox's notification was confirmed.
 */
export async function assertPaysApb(shop: ShopProcess): Promise<void> {
  const paid = await payApb(shop.sandbox, shop.origin);
  assert.equal(paid.status, 303, paid.body + shop.log());
  assert.equal(paid.landing!.searchParams.get('result'), 'success');
  assert.equal(await (await fetch(paid.landing!)).text(), 'result: success');
  assert.equal(shop.sandbox.state.tradeByOrder(shop.sandbox.shopId, paid.orderId)!.status, 'AUTH');
  await shop.logged(new RegExp(`notification confirmed.*${paid.orderId}`));
}

/**
 * A host's CSRF check still guards the shop's own form route (`/account`, answering 200 to its own
 * origin), and a forged RetURL post let through to the endpoint is not believed.
 */
export async function assertCsrfKeptForTheShop(shop: ShopProcess): Promise<void> {
  const forged = await postForm(`${shop.origin}/account`, { email: 'x@example.com' }, 'https://evil.example');
  assert.equal(forged.status, 403);
  assert.match(await forged.text(), /Cross-site POST form submissions are forbidden/);
  assert.equal((await postForm(`${shop.origin}/account`, {}, shop.origin)).status, 200, 'a same-origin form post still works');
  const fake = await postForm(`${shop.origin}/api/amazon-pay/result`, { OrderID: 'forged-1', Status: 'AUTH', CheckString: 'x' }, 'https://evil.example');
  assert.equal(fake.status, 303);
  assert.notEqual(new URL(fake.headers.get('location')!, shop.origin).searchParams.get('result'), 'success');
}

/** A production build's client scripts under `folder` define `<amazon-pay-v2>` (the side-effect import was kept). */
export function assertBundleDefinesElement(folder: string, buildLog: string): void {
  const code = readdirSync(folder, { recursive: true })
    .filter((f) => String(f).endsWith('.js'))
    .map((f) => readFileSync(join(folder, String(f)), 'utf8'))
    .join('\n');
  // The minifier may hold the tag's name in a variable: the define call, and the name in the same bundle.
  assert.ok(/customElements\.define\(/.test(code) && /["'`]amazon-pay-v2["'`]/.test(code), `no define of amazon-pay-v2 in the client bundle\n${buildLog}`);
}
