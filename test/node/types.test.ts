// The package's declarations as a strict TypeScript project meets them: from the packed tarball,
// with `skipLibCheck: false` and nothing installed but TypeScript and @types/node. Hono is bundled
// into the server build, not a dependency, so no declaration may need 'hono' to resolve.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { fixtureApp } from './support/packed.js';

const exec = promisify(execFile);

const USES = `
import { createAmazonPayHandler, amazonPayRoutes, toNodeListener, createGmoPgClient, type AmazonPayHandler } from 'amazon-pay-v2/server';
import { createSandbox } from 'amazon-pay-v2/sandbox';
import { AmazonPayV2, type AmazonPayErrorCode } from 'amazon-pay-v2';
import * as confirm from 'amazon-pay-v2/confirm';
import type {} from 'amazon-pay-v2/jsx';

const routes = amazonPayRoutes({ basePath: '/api/amazon-pay', resolveOrder: () => ({ amount: 1980 }), completionUrl: '/thanks' });
const fromRoutes: (request: Request) => Promise<Response> = routes.fetch;
const listener = toNodeListener(routes);
const sandbox = createSandbox({ basePath: '/sandbox' });
const sandboxListener = toNodeListener(sandbox);
export async function make(): Promise<AmazonPayHandler> {
  const handler = await createAmazonPayHandler({ gmo: createGmoPgClient({ shopId: 's', shopPass: 'p', baseUrl: 'https://pt01.mul-pay.jp/payment/' }), resolveOrder: () => ({ amount: 1 }), completionUrl: '/' });
  const answer: Response | Promise<Response> = handler.app.fetch(new Request('https://shop.example/checkout'));
  void answer;
  return handler;
}
const code: AmazonPayErrorCode = 'CONFIG_INVALID';
export { fromRoutes, listener, sandboxListener, code, AmazonPayV2, confirm };
`;

let dir: string;
before(async () => {
  dir = await fixtureApp(
    {
      'uses.ts': USES,
      'tsconfig.json': JSON.stringify({
        compilerOptions: {
          strict: true,
          skipLibCheck: false,
          noEmit: true,
          target: 'es2022',
          module: 'nodenext',
          moduleResolution: 'nodenext',
          lib: ['es2022', 'dom', 'dom.iterable'],
          types: ['node'],
        },
        files: ['uses.ts'],
      }),
    },
    ['typescript@5.9.3', '@types/node@22.20.7'],
  );
});
after(() => dir && rmSync(dir, { recursive: true, force: true }));

describe('the declarations, with skipLibCheck off', () => {
  it('type-check without hono installed (every entry: element, server, sandbox, jsx)', async () => {
    assert.ok(!existsSync(join(dir, 'node_modules', 'hono')), 'the fixture must not have hono');
    const result = await exec(join(dir, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.json'], { cwd: dir }).catch((e) => e);
    assert.equal(result.code ?? 0, 0, `${result.stdout}${result.stderr}`);
  });
});
