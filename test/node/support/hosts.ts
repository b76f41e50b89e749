// A shop's server process in a fixture app, as the host tests start it: only the GMO-PG settings
// of a sandbox that notifies it, its port and its public origin in the environment.
import { spawn, type ChildProcess } from 'node:child_process';
import { freePort, startSandbox, type RunningSandbox } from './servers.js';

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
