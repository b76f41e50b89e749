// The package as users get it: `npm pack` of the built project, installed into a fresh fixture
// project with the host's own packages (from the npm cache when it has them).
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
let tarball: Promise<string> | undefined;

/**
 * `npm pack` of the project (built first by `npm test`): the tarball's path. test/run-all.mjs packs
 * once for every test file (APV2_TARBALL), since packing rewrites README.md for a moment (prepack)
 * and two packs at once would race on it; a test file run alone packs for itself.
 */
export function packTarball(): Promise<string> {
  return (tarball ??= (async () => {
    if (process.env.APV2_TARBALL) return process.env.APV2_TARBALL;
    const dir = mkdtempSync(join(tmpdir(), 'apv2-pack-'));
    // With its scripts: prepack gives the README its absolute image URLs, as `npm publish` would.
    const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', dir], { maxBuffer: 16 * 1024 * 1024 });
    return join(dir, JSON.parse(stdout)[0].filename);
  })());
}

/**
 * A new project folder holding `files` (paths may have folders), with the packed package and `packages` (exact versions)
 * installed by npm as a user would. Returns the folder.
 */
export async function fixtureApp(files: Record<string, string>, packages: string[] = []): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'apv2-fixture-'));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'fixture', private: true, version: '1.0.0' }));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--no-package-lock', await packTarball(), ...packages], {
    cwd: dir,
    maxBuffer: 16 * 1024 * 1024,
  });
  return dir;
}
