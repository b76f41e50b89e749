/**
 * One process per PGlite folder. PGlite is a single-user Postgres: two processes writing the same
 * folder (a PM2 cluster, a rolling restart, a second dev server) corrupt it or silently lose what
 * both wrote. So the store holds a lock file in the folder for its lifetime; a second opener fails
 * at once and says who holds it. A lock left by a process that died (kill -9, a crash, a container
 * restarted with the same pid) is recognised by the holder's pid and start time, and taken over.
 */
import { closeSync, linkSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';

export const LOCK_FILE = 'amazon-pay-v2.lock';

interface Holder {
  pid: number;
  host: string;
  /** The process's start time (Linux: /proc/<pid>/stat field 22), to tell a reused pid apart. */
  started: string | null;
}

export class FolderLockedError extends Error {
  override name = 'FolderLockedError';
}

/** Lock paths this process holds: a second store on the same folder in one process is refused too. */
const held = new Set<string>();
let exitHookAdded = false;

export interface FolderLock {
  readonly path: string;
  release(): void;
}

/** Takes the lock of `dir` (which must exist), or throws a {@link FolderLockedError} naming the holder and the fix. */
export function lockFolder(dir: string): FolderLock {
  const path = join(resolve(dir), LOCK_FILE);
  const me: Holder = { pid: process.pid, host: hostname(), started: startTimeOf(process.pid) };
  const text = JSON.stringify(me);
  if (held.has(path)) throw locked(dir, me, 'this same process');
  for (let attempt = 0; attempt < 5; attempt++) {
    // Write the whole content first, then link it into place: the lock file is never seen half-written.
    const temp = `${path}.${process.pid}.${attempt}.tmp`;
    const fd = openSync(temp, 'w');
    try {
      writeSync(fd, text);
    } finally {
      closeSync(fd);
    }
    try {
      linkSync(temp, path);
      unlinkSync(temp);
      return hold(path, text);
    } catch (error) {
      unlinkSync(temp);
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const current = read(path);
    if (current === undefined) continue; // released meanwhile: try again
    const holder = parse(current);
    if (holder && alive(holder)) throw locked(dir, holder, `process ${holder.pid}${holder.host === me.host ? '' : ` on ${holder.host}`}`);
    // Stale. Move it aside and check that what moved is the stale lock, not one that another
    // starting process has just put in its place (then it goes back).
    const aside = `${path}.${process.pid}.stale`;
    try {
      renameSync(path, aside);
    } catch {
      continue;
    }
    if (read(aside) !== current) {
      try {
        linkSync(aside, path);
      } catch {
        /* a third one took it: the next attempt sees whom */
      }
    }
    unlinkSync(aside);
  }
  throw new FolderLockedError(`the order folder ${dir} is being locked and unlocked by other processes; try again`);
}

function hold(path: string, text: string): FolderLock {
  held.add(path);
  if (!exitHookAdded) {
    exitHookAdded = true;
    // A normal exit (even without close()) leaves no lock behind; kill -9 does, and is taken over.
    process.once('exit', () => {
      for (const p of held) if (read(p) === text) tryUnlink(p);
    });
  }
  return {
    path,
    release() {
      if (!held.delete(path)) return;
      if (read(path) === text) tryUnlink(path);
    },
  };
}

function locked(dir: string, holder: Holder, who: string) {
  return new FolderLockedError(
    `the order folder ${resolve(dir)} is in use by ${who} (pid ${holder.pid}): PGlite serves one process. ` +
      'Run one server per folder, give each process its own dataDir, or use PostgreSQL (DATABASE_URL) for several processes. ' +
      `If pid ${holder.pid} is not an amazon-pay-v2 server, delete ${join(resolve(dir), LOCK_FILE)}.`,
  );
}

function alive(holder: Holder): boolean {
  if (holder.host !== hostname()) return true; // another machine's process: cannot tell, so believe it
  // Our own pid on a lock this process does not hold (checked first): a previous life of this
  // container, whose first process often has the same pid.
  if (holder.pid === process.pid) return false;
  try {
    process.kill(holder.pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
  }
  // Alive, unless the pid now belongs to a younger process.
  const started = startTimeOf(holder.pid);
  return !(holder.started && started && started !== holder.started);
}

function startTimeOf(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null; // field 22: starttime
  } catch {
    return null;
  }
}

function parse(text: string): Holder | undefined {
  try {
    const h = JSON.parse(text);
    return typeof h?.pid === 'number' && typeof h.host === 'string' ? { pid: h.pid, host: h.host, started: h.started ?? null } : undefined;
  } catch {
    return undefined; // an unreadable lock file protects nothing: treated as stale
  }
}

function read(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

function tryUnlink(path: string) {
  try {
    unlinkSync(path);
  } catch {
    /* gone already */
  }
}
