import { serverBenchmark } from '/work/main/bench/server.mjs';
await serverBenchmark({ latency: '45-55', target: 1.02, seconds: 3, rounds: 7 });
