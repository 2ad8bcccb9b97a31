/**
 * The server as a child process for the fault and browser tests (`startServer`, as `bayesbench serve`
 * runs it): `tsx test/e2e/serve-child.ts DB_PATH [--demo]`; prints `listening URL` on stdout. The token, if any,
 * comes from BAYESBENCH_TOKEN (as with `bayesbench serve`).
 */
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
