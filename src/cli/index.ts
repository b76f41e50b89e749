/**
 * The `amazon-pay-v2` command (the package's bin), parsed with commander:
 *   amazon-pay-v2 sandbox          the offline GMO-PG and Amazon sandbox
 *   amazon-pay-v2 orders …         see and operate the shop's orders (list, show, capture, refund, …)
 * Exit codes are in exit.ts; a wrong command line is 2.
 */
import { Command, CommanderError } from 'commander';
import { EXIT } from './exit.js';
import { ordersCommand } from './orders.js';
import { sandboxCommand } from './sandbox.js';

const program = new Command('amazon-pay-v2')
  .description("Amazon Pay V2 through GMO-PG: the offline sandbox and the shop's orders")
  .addCommand(sandboxCommand())
  .addCommand(ordersCommand())
  .showHelpAfterError()
  .exitOverride();

// Every command, nested ones too, leaves through exitOverride: usage errors become exit code 2.
for (const c of [program, ...program.commands, ...program.commands.flatMap((c) => c.commands)]) c.exitOverride();

try {
  await program.parseAsync();
} catch (error) {
  if (!(error instanceof CommanderError)) throw error;
  process.exitCode = error.exitCode === 0 || error.code === 'commander.helpDisplayed' || error.code === 'commander.help' ? EXIT.ok : EXIT.usage;
}
