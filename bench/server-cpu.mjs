// CPU per checkout, by process and thread: the steadier companion of benchmark 5. Under
// saturation a p50 moves with whatever else the machine runs; the CPU each request costs does not.
// `node bench/server-cpu.mjs` (after `npm run build`); BENCH_CONNECTIONS (default 16) and BENCH_SECONDS (4).
import { readFileSync, readdirSync } from 'node:fs';
import autocannon from 'autocannon';
import { startServers } from './server.mjs';

const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 4);

/** Milliseconds of CPU used so far by each thread of a process (Linux /proc). */
function threads(pid) {
  return Object.fromEntries(
    readdirSync(`/proc/${pid}/task`).map((tid) => {
      const fields = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8').split(') ')[1].split(' ');
      return [tid, (Number(fields[11]) + Number(fields[12])) * 10]; // utime + stime, in 10 ms ticks
    }),
  );
}
const perRequest = (before, after, n) =>
  Object.entries(after)
    .map(([tid, ms]) => (ms - (before[tid] ?? 0)) / n)
    .filter((ms) => ms > 0);

const { sandbox, servers, targets, stop } = await startServers();
console.log(
  `| server (${CONNECTIONS} connections) | req/s | server main thread | server other threads | sandbox | load generator | total ms CPU per checkout |`,
);
console.log('|---|---:|---:|---:|---:|---:|---:|');
try {
  for (const [round, { name, url, headers }] of [...targets, ...targets].entries()) {
    const [s0, t0, m0] = [threads(sandbox.pid), threads(servers.pid), process.cpuUsage()];
    const r = await autocannon({ url, connections: CONNECTIONS, duration: SECONDS, method: 'POST', body: '{}', headers });
    const n = r.requests.total;
    const [server, sb, m] = [perRequest(t0, threads(servers.pid), n), perRequest(s0, threads(sandbox.pid), n), process.cpuUsage(m0)];
    const main = server.length ? Math.max(...server) : 0; // the busiest thread is the event loop
    const other = server.reduce((a, b) => a + b, 0) - main;
    const sandboxMs = sb.reduce((a, b) => a + b, 0);
    const loadMs = (m.user + m.system) / 1000 / n;
    if (round < 3) continue; // the first pass warms up
    console.log(
      `| ${name === 'pglite' ? 'ours (PGlite)' : name === 'memory' ? 'ours (no storage)' : 'floor'} | ${r.requests.average.toFixed(0)} | ${main.toFixed(2)} | ${other.toFixed(2)} | ${sandboxMs.toFixed(2)} | ${loadMs.toFixed(2)} | ${(main + other + sandboxMs + loadMs).toFixed(2)} |`,
    );
  }
} finally {
  stop();
}
