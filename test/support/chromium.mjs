// @ts-check
/**
 * The Chromium the tests (and benchmarks) drive, so that they run on a machine with Node alone:
 *   1. CHROME_PATH, when set;
 *   2. a system Chromium (Debian's /usr/bin/chromium, or Chrome);
 *   3. the headless Chromium inside the @sparticuz/chromium package (a devDependency), unpacked
 *      into the temp folder on first use, with the NSS libraries it brings (a bare Debian has none).
 * Every caller gets the same flags: this machine's network is closed, and without the
 * background-networking flags Chromium keeps trying Google's hosts; --no-sandbox because CI runs as root.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { brotliDecompressSync } from 'node:zlib';

const SYSTEM = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable'];

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * @typedef {{ executablePath: string, env: Record<string, string>, source: string }} ChromiumInfo
 * `env` is the whole environment to start it with (the process's own, plus what it needs).
 */

/** @type {Promise<ChromiumInfo> | undefined} */
let found;

/** @returns {Promise<ChromiumInfo>} */
export function findChromium() {
  return (found ??= locate());
}

/** @returns {Promise<ChromiumInfo>} */
async function locate() {
  const env = /** @type {Record<string, string>} */ ({ ...process.env });
  if (process.env.CHROME_PATH) return { executablePath: process.env.CHROME_PATH, env, source: 'CHROME_PATH' };
  const system = SYSTEM.find((path) => existsSync(path));
  if (system) return { executablePath: system, env, source: 'system' };
  const { default: packaged } = await import('@sparticuz/chromium');
  const executablePath = await packaged.executablePath();
  // The package unpacks these libraries only on Amazon Linux; Debian needs them as well.
  const libs = join(tmpdir(), 'al2023', 'lib');
  if (!existsSync(join(libs, 'libnss3.so'))) {
    // build/cjs/index.cjs → the package's root, where bin/ holds the compressed files
    const bin = join(dirname(createRequire(import.meta.url).resolve('@sparticuz/chromium')), '..', '..', 'bin');
    mkdirSync(dirname(libs), { recursive: true });
    const tar = spawnSync('tar', ['-x', '-C', dirname(libs)], { input: brotliDecompressSync(readFileSync(join(bin, 'al2023.tar.br'))) });
    if (tar.status !== 0) throw new Error(`could not unpack Chromium's libraries: ${String(tar.stderr)}`);
  }
  env.LD_LIBRARY_PATH = [libs, process.env.LD_LIBRARY_PATH].filter(Boolean).join(':');
  return { executablePath, env, source: '@sparticuz/chromium' };
}
