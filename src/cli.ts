/**
 * The `amazon-pay-v2` command (the package's bin): `npx amazon-pay-v2 sandbox` runs the offline
 * GMO-PG and Amazon sandbox. Arguments are read with Node's own parseArgs.
 */
import { parseArgs } from 'node:util';
import { serveSandbox } from './sandbox/serve.js';

const USAGE = `Usage: amazon-pay-v2 <command> [options]

Commands:
  sandbox    run the offline GMO-PG and Amazon sandbox
             --port, -p N         port on 127.0.0.1 (default PORT, else 8787)
             --notify-url URL     where result notifications go (default NOTIFY_URL)
             --state-file FILE    keep the records in FILE (default SANDBOX_STATE_FILE, else .data/sandbox.json; "none": memory)
`;

function main(): number | undefined {
  let parsed;
  try {
    parsed = parseArgs({
      allowPositionals: true,
      options: {
        port: { type: 'string', short: 'p' },
        'notify-url': { type: 'string' },
        'state-file': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const { positionals, values } = parsed;
  if (values.help || !positionals.length) return void process.stdout.write(USAGE), 0;
  if (positionals[0] !== 'sandbox') {
    process.stderr.write(`unknown command "${positionals[0]}"\n\n${USAGE}`);
    return 2;
  }
  const port = Number(values.port ?? process.env.PORT ?? 8787);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    process.stderr.write(`--port ${values.port}: a port number from 0 to 65535\n`);
    return 2;
  }
  const stateFile = values['state-file'] ?? process.env.SANDBOX_STATE_FILE ?? '.data/sandbox.json';
  void serveSandbox({ port, notifyUrl: values['notify-url'] ?? process.env.NOTIFY_URL, stateFile: stateFile === 'none' ? undefined : stateFile }).then(({ stop }) => {
    const quit = () => (stop(), process.exit(0));
    process.on('SIGINT', quit);
    process.on('SIGTERM', quit);
  });
  return undefined;
}

const code = main();
if (code !== undefined) process.exitCode = code;
