import { Command, InvalidArgumentError } from 'commander';
import { serveSandbox } from '../sandbox/serve.js';

const port = (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('a port number from 0 to 65535');
  return n;
};

/** `amazon-pay-v2 sandbox`: the offline GMO-PG and Amazon sandbox on a port of 127.0.0.1. */
export function sandboxCommand(): Command {
  return new Command('sandbox')
    .description('run the offline GMO-PG and Amazon sandbox')
    .option('-p, --port <n>', 'port on 127.0.0.1 (default: PORT, else 8787)', port)
    .option('--notify-url <url>', 'where result notifications go (default: NOTIFY_URL)')
    .option('--state-file <file>', 'keep the records in this file (default: SANDBOX_STATE_FILE, else .data/sandbox.json; "none": memory only)')
    .action(async (opts: { port?: number; notifyUrl?: string; stateFile?: string }) => {
      const envPort = process.env.PORT === undefined ? undefined : port(process.env.PORT);
      const stateFile = opts.stateFile ?? process.env.SANDBOX_STATE_FILE ?? '.data/sandbox.json';
      const { stop } = await serveSandbox({ port: opts.port ?? envPort ?? 8787, notifyUrl: opts.notifyUrl ?? process.env.NOTIFY_URL, stateFile: stateFile === 'none' ? undefined : stateFile });
      const quit = () => (stop(), process.exit(0));
      process.on('SIGINT', quit);
      process.on('SIGTERM', quit);
    });
}
