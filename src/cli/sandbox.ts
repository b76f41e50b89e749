import { Command, InvalidArgumentError } from 'commander';
import { serveSandbox } from '../sandbox/serve.js';

const port = (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('a port number from 0 to 65535');
  return n;
};

/** `50` or `30-80` (ms): a fixed latency or a uniform range. */
const latency = (value: string): [number, number] => {
  const m = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(value.trim());
  const [low, high] = m ? [Number(m[1]), Number(m[2] ?? m[1])] : [NaN, NaN];
  if (!(low <= high)) throw new InvalidArgumentError('milliseconds, e.g. 50 or 30-80 (the smaller first)');
  return [low, high];
};

/** `amazon-pay-v2 sandbox`: the offline GMO-PG and Amazon sandbox on a port of 127.0.0.1. */
export function sandboxCommand(): Command {
  return new Command('sandbox')
    .description('run the offline GMO-PG and Amazon sandbox')
    .option('-p, --port <n>', 'port on 127.0.0.1 (default: PORT, else 8787)', port)
    .option('--notify-url <url>', 'where result notifications go (default: NOTIFY_URL)')
    .option('--state-file <file>', 'keep the records in this file (default: SANDBOX_STATE_FILE, else .data/sandbox.json; "none": memory only)')
    .option('--latency <ms>', 'each GMO-PG call takes this long, as GMO-PG does: 50, or a range 30-80 (default: SANDBOX_LATENCY_MS, else 0)', latency)
    .action(async (opts: { port?: number; notifyUrl?: string; stateFile?: string; latency?: [number, number] }) => {
      const envPort = process.env.PORT === undefined ? undefined : port(process.env.PORT);
      const stateFile = opts.stateFile ?? process.env.SANDBOX_STATE_FILE ?? '.data/sandbox.json';
      const latencyMs = opts.latency ?? (process.env.SANDBOX_LATENCY_MS ? latency(process.env.SANDBOX_LATENCY_MS) : undefined);
      const { stop } = await serveSandbox({
        port: opts.port ?? envPort ?? 8787,
        notifyUrl: opts.notifyUrl ?? process.env.NOTIFY_URL,
        stateFile: stateFile === 'none' ? undefined : stateFile,
        latencyMs,
      });
      const quit = () => (stop(), process.exit(0));
      process.on('SIGINT', quit);
      process.on('SIGTERM', quit);
    });
}
