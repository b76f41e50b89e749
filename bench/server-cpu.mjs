// CPU per checkout, by process and thread: the steadier companion of benchmark 5. Under
// saturation a p50 moves with whatever else the machine runs; the CPU each request costs does not.
// `node bench/server-cpu.mjs` (after `npm run build`); CONNECTIONS (default 16) and SECONDS (4).
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { createInterface } from 'node:readline';
import autocannon from 'autocannon';

const CONNECTIONS = Number(process.env.CONNECTIONS ?? 16);
const SECONDS = Number(process.env.SECONDS ?? 4);

function child(args, env) {
  const loader = args[0].endsWith('.ts') ? ['--import', 'tsx'] : [];
  const proc = spawn(process.execPath, [...loader, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  return { proc, firstLine: new Promise((resolve) => createInterface({ input: proc.stdout }).once('line', resolve)) };
}
/** Milliseconds of CPU used so far by each thread of a process (Linux /proc). */
function threads(pid) {
  return Object.fromEntries(
    readdirSync(`/proc/${pid}/task`).map((tid) => {
      const fields = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8').split(') ')[1].split(' ');
      return [tid, (Number(fields[11]) + Number(fields[12])) * 10]; // utime + stime, in 10 ms ticks
    }),
  );
}
const perRequest = (before, after, n) => Object.entries(after).map(([tid, ms]) => (ms - (before[tid] ?? 0)) / n).filter((ms) => ms > 0);

const port = 18787 + Math.floor(Math.random() * 1000);
const sandbox = child(['src/sandbox/cli.ts'], { PORT: String(port), SANDBOX_STATE_FILE: 'none' });
await sandbox.firstLine;
const servers = child(['bench/server-targets.mjs'], { GMO_PG_BASE_URL: `http://127.0.0.1:${port}/payment/` });
const ports = JSON.parse(await servers.firstLine);
const url = (name) => (name === 'floor' ? `http://127.0.0.1:${ports.floor}/` : `http://127.0.0.1:${ports[name]}/api/amazon-pay/checkout`);
console.log(`| server (${CONNECTIONS} connections) | req/s | server main thread | server other threads | sandbox | load generator | total ms CPU per checkout |`);
console.log('|---|---:|---:|---:|---:|---:|---:|');
try {
  for (const [round, name] of ['floor', 'pglite', 'memory', 'floor', 'pglite', 'memory'].entries()) {
    const [s0, t0, m0] = [threads(sandbox.proc.pid), threads(servers.proc.pid), process.cpuUsage()];
    const r = await autocannon({ url: url(name), connections: CONNECTIONS, duration: SECONDS, method: 'POST', body: '{}', headers: { 'content-type': 'application/json', origin: new URL(url(name)).origin } });
    const n = r.requests.total;
    const [server, sb, m] = [perRequest(t0, threads(servers.proc.pid), n), perRequest(s0, threads(sandbox.proc.pid), n), process.cpuUsage(m0)];
    const main = server.length ? Math.max(...server) : 0; // the busiest thread is the event loop
    const other = server.reduce((a, b) => a + b, 0) - main;
    const sandboxMs = sb.reduce((a, b) => a + b, 0);
    const loadMs = (m.user + m.system) / 1000 / n;
    if (round < 3) continue; // the first pass warms up
    console.log(`| ${name === 'pglite' ? 'ours (PGlite)' : name === 'memory' ? 'ours (no storage)' : 'floor'} | ${r.requests.average.toFixed(0)} | ${main.toFixed(2)} | ${other.toFixed(2)} | ${sandboxMs.toFixed(2)} | ${loadMs.toFixed(2)} | ${(main + other + sandboxMs + loadMs).toFixed(2)} |`);
  }
} finally {
  sandbox.proc.kill();
  servers.proc.kill();
}
