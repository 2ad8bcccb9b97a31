/**
 * Load test of the report server (`npm run bench:server`): the report page of a finished fit under
 * 50 concurrent connections for 10 s on loopback while another fit runs, with autocannon; then the
 * report page and the JSON API while a hostile client sends the requests that used to stall a
 * server (see hostileClient). Prints requests/s, latency percentiles and errors (target: 0 errors,
 * p99 < 200 ms).
 *
 * The server runs in a child process (test/e2e/serve-child.ts under tsx, as in the fault test), so
 * the load generator does not share its event loop.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { exited, poll, startChild } from '../test/e2e/child.js';

const CONNECTIONS = 50;
const DURATION_S = 10;
const root = new URL('../', import.meta.url);
const csv = readFileSync(new URL('fixtures/real/lra_tay2021.csv', root));
const mapping = { heuristic: 'heuristic', task: 'task', score: 'value', category: 'task_category' };

/** Run bench/hostile-client.ts in its own process for `seconds`; resolves to its answer counts. */
function hostileClient(base: string, fitId: number, seconds: number) {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'bench/hostile-client.ts', base, String(fitId), String(seconds)],
    { cwd: fileURLToPath(root), stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let out = '';
  child.stdout.on('data', (c: Buffer) => {
    out += c.toString();
  });
  return new Promise<{ total: number; byStatus: Record<string, number> }>((resolve, reject) => {
    child.on('exit', (code) =>
      code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`hostile client exited ${code}`)),
    );
  });
}

/**
 * The server's event-loop delay (ms) since the last call, and a reset: serve-child (started with
 * BAYESBENCH_ELD=1) prints it on SIGUSR2.
 */
function eventLoopDelay(child: ChildProcess) {
  return new Promise<{ p50: number; p99: number; max: number }>((resolve) => {
    let out = '';
    const onData = (c: Buffer) => {
      out += c.toString();
      const m = /eld (\{.*\})\n/.exec(out);
      if (!m) return;
      child.stdout?.off('data', onData);
      resolve(JSON.parse(m[1]));
    };
    child.stdout?.on('data', onData);
    child.kill('SIGUSR2');
  });
}

const dir = mkdtempSync(join(os.tmpdir(), 'bb-bench-'));
const server = await startChild(join(dir, 'bench.db'), false, { BAYESBENCH_ELD: '1' });
const api = async (path: string, init?: RequestInit) => {
  const res = await fetch(`${server.url}${path}`, init);
  return (await res.json()) as Record<string, unknown>;
};
const postFit = (body: unknown) =>
  api('api/fits', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });

try {
  const form = new FormData();
  form.append('file', new Blob([csv]), 'lra_tay2021.csv');
  await api('api/datasets', { method: 'POST', body: form });
  const first = await postFit({ dataset: 1, mapping, chains: 4, warmup: 500, draws: 500 });
  await poll(async () =>
    (await api(`api/fits/${first.id}`)).status === 'done' ? true : undefined,
  );
  const reportUrl = `${server.url}fits/${first.id}`;
  const page = await fetch(reportUrl);
  const bytes = (await page.text()).length;
  // The fit that runs during the load: long enough to outlast it.
  const second = await postFit({ dataset: 1, mapping, chains: 4, warmup: 20000, draws: 20000 });
  await poll(async () =>
    (await api(`api/fits/${second.id}`)).status === 'running' ? true : undefined,
  );

  // Three runs: the report page as a browser asks (gzip) and as an identity client, then the report
  // page and the JSON API together while a hostile client sends the requests that used to stall the
  // server (catastrophic filter, a 500,000-column upload, draws.csv downloads, endless ?rope= and
  // ?x= values).
  const runs: { label: string; result: autocannon.Result }[] = [];
  for (const [label, headers] of [
    ['browser-like (Accept-Encoding: gzip)', { 'accept-encoding': 'gzip, deflate, br' }],
    ['identity (no compression)', {}],
  ] as const) {
    const result = await autocannon({
      url: reportUrl,
      connections: CONNECTIONS,
      duration: DURATION_S,
      headers,
    });
    runs.push({ label, result });
  }
  await eventLoopDelay(server.child);
  const hostile = hostileClient(server.url, first.id as number, DURATION_S);
  const [pageRun, apiRun] = await Promise.all([
    autocannon({
      url: reportUrl,
      connections: CONNECTIONS / 2,
      duration: DURATION_S,
      headers: { 'accept-encoding': 'gzip, deflate, br' },
    }),
    autocannon({
      url: `${server.url}api/fits/${first.id}`,
      connections: CONNECTIONS / 2,
      duration: DURATION_S,
    }),
  ]);
  const hostileStats = await hostile;
  const eld = await eventLoopDelay(server.child);
  runs.push({
    label: `report page (${CONNECTIONS / 2} connections) under a hostile client`,
    result: pageRun,
  });
  runs.push({
    label: `GET /api/fits/${first.id} (${CONNECTIONS / 2} connections) under a hostile client`,
    result: apiRun,
  });
  const during = await api(`api/fits/${second.id}`);
  const cpu = os.cpus()[0]?.model ?? 'unknown cpu';
  console.log(`bayesbench server load test, ${new Date().toISOString()}`);
  console.log(
    `machine: ${cpu}, ${os.cpus().length} cores, node ${process.version}, load average ${os
      .loadavg()
      .map((x) => x.toFixed(1))
      .join(' ')}`,
  );
  console.log(
    `GET /fits/${first.id} (${(bytes / 1024).toFixed(0)} kB page), ${DURATION_S} s per run, while fit ${second.id} was ${during.status} (${Math.round(Number(during.progress) * 100)}% done after the runs)`,
  );
  let allOk = true;
  for (const { label, result } of runs) {
    console.log(`\n${label}`);
    console.log(
      `  requests/s: mean ${result.requests.average.toFixed(0)}, total ${result.requests.total}`,
    );
    console.log(
      `  latency ms: p50 ${result.latency.p50}, p90 ${result.latency.p90}, p99 ${result.latency.p99}, max ${result.latency.max}`,
    );
    console.log(
      `  errors: ${result.errors}, timeouts: ${result.timeouts}, non-2xx: ${result.non2xx}`,
    );
    const ok = result.errors === 0 && result.non2xx === 0 && result.latency.p99 < 200;
    allOk &&= ok;
    console.log(
      ok
        ? '  target met: 0 errors, p99 < 200 ms'
        : '  TARGET MISSED: want 0 errors and p99 < 200 ms',
    );
  }
  const statuses = Object.entries(hostileStats.byStatus)
    .map(([k, n]) => `${k}: ${n}`)
    .join(', ');
  console.log(`\nhostile client: ${hostileStats.total} requests (${statuses})`);
  console.log(
    `server event-loop delay during the hostile run: p50 ${eld.p50.toFixed(1)} ms, p99 ${eld.p99.toFixed(1)} ms, max ${eld.max.toFixed(1)} ms`,
  );
  console.log(allOk ? 'all targets met' : 'SOME TARGETS MISSED');
} finally {
  server.child.kill('SIGTERM');
  await exited(server.child);
  rmSync(dir, { recursive: true, force: true });
}
