/**
 * The server as a child process for the fault and browser tests (`startServer`, as `bayesbench serve`
 * runs it): `tsx test/e2e/serve-child.ts DB_PATH [--demo]`; prints `listening URL` on stdout. The token, if any,
 * comes from BAYESBENCH_TOKEN (as with `bayesbench serve`). With BAYESBENCH_ELD=1 (bench:server),
 * SIGUSR2 prints `eld {"p50","p99","max"}` (event-loop delay in ms since the last SIGUSR2) and resets.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { startServer } from '../../src/web/server.js';

const [db, flag] = process.argv.slice(2);
const running = await startServer({
  port: 0,
  db,
  demo: flag === '--demo',
  token: process.env.BAYESBENCH_TOKEN || undefined,
  log: () => {},
});
process.stdout.write(`listening ${running.url}\n`);
process.on('SIGTERM', () => {
  running.close().then(() => process.exit(0));
});

if (process.env.BAYESBENCH_ELD === '1') {
  const h = monitorEventLoopDelay({ resolution: 10 });
  h.enable();
  process.on('SIGUSR2', () => {
    const ms = (ns: number) => ns / 1e6;
    const out = { p50: ms(h.percentile(50)), p99: ms(h.percentile(99)), max: ms(h.max) };
    process.stdout.write(`eld ${JSON.stringify(out)}\n`);
    h.reset();
  });
}
