import { createInterface } from 'node:readline/promises';

/**
 * Asks a yes/no question on stderr and reads the answer from stdin (a terminal, or a pipe:
 * `echo y | amazon-pay-v2 orders capture …`). No answer (stdin closed) is no.
 */
export async function confirm(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: process.stdin.isTTY });
  try {
    const answer = await new Promise<string | null>((resolve) => {
      rl.once('close', () => resolve(null));
      rl.question(`${question} [y/N] `).then(resolve, () => resolve(null));
    });
    return /^(y|yes)$/i.test(answer?.trim() ?? '');
  } finally {
    rl.close();
  }
}
