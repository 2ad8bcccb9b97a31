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
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { exited, poll, startChild } from '../test/e2e/child.js';

const CONNECTIONS = 50;
const DURATION_S = 10;
const root = new URL('../', import.meta.url);
const csv = readFileSync(new URL('fixtures/real/lra_tay2021.csv', root));
const mapping = { heuristic: 'heuristic', task: 'task', score: 'value', category: 'task_category' };

/**
 * A hostile client: 4 loops that, while `on()`, send in turn a catastrophic-backtracking filter, a
 * glob worst case, a 4.9 MB upload of 500,000 columns, a draws.csv download (read in full), a new
 * ?rope= value and a random ?x= value. Answers are counted by status (400 and 503 are the server
 * refusing politely; "error" is a failed request).
 */
function hostileClient(
  base: string,
  fitId: number,
  stats: { requests: number; byStatus: Map<string, number> },
  on: () => boolean,
) {
  const wide = Array.from({ length: 500_000 }, (_, i) => `c${i}`).join(',');
  const requests: (() => Promise<Response>)[] = [
    () => fetch(`${base}fits/${fitId}?filter=${encodeURIComponent('^([\\s\\S]|[\\s\\S])*!')}`),
    () => fetch(`${base}fits/${fitId}?filter=${encodeURIComponent(`${'*a'.repeat(99)}!`)}`),
    () => {
      const form = new FormData();
      form.append('file', new Blob([`${wide}\n`]), 'wide.csv');
      return fetch(`${base}api/datasets`, { method: 'POST', body: form });
    },
    () => fetch(`${base}fits/${fitId}/draws.csv`),
    () => fetch(`${base}fits/${fitId}?rope=${(Math.random() * 10).toFixed(3)}`),
    () => fetch(`${base}fits/${fitId}?x=${Math.random()}`),
  ];
  const count = (key: string) => stats.byStatus.set(key, (stats.byStatus.get(key) ?? 0) + 1);
  return async () => {
    await Promise.all(
      Array.from({ length: 4 }, async (_, loop) => {
        for (let i = loop; on(); i++) {
          try {
            const res = await requests[i % requests.length]();
            await res.arrayBuffer();
            count(String(res.status));
          } catch {
            count('error');
          }
          stats.requests++;
        }
      }),
    );
  };
}

const dir = mkdtempSync(join(os.tmpdir(), 'bb-bench-'));
const server = await startChild(join(dir, 'bench.db'));
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

  const hostileStats = { requests: 0, byStatus: new Map<string, number>() };
  let hostileOn = false;
  const hostile = hostileClient(server.url, first.id as number, hostileStats, () => hostileOn);

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
  hostileOn = true;
  const loops = hostile();
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
  hostileOn = false;
  await loops;
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
  const statuses = [...hostileStats.byStatus.entries()].map(([k, n]) => `${k}: ${n}`).join(', ');
  console.log(`\nhostile client: ${hostileStats.requests} requests (${statuses})`);
  console.log(allOk ? 'all targets met' : 'SOME TARGETS MISSED');
} finally {
  server.child.kill('SIGTERM');
  await exited(server.child);
  rmSync(dir, { recursive: true, force: true });
}
