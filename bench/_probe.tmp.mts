import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { exited, poll, startChild } from '../test/e2e/child.js';
const csv = readFileSync('fixtures/real/lra_tay2021.csv');
const mapping = { heuristic: 'heuristic', task: 'task', score: 'value', category: 'task_category' };
const dir = mkdtempSync(join(os.tmpdir(), 'bb-probe-'));
const server = await startChild(join(dir, 'p.db'));
const api = async (path: string, init?: RequestInit) => (await (await fetch(`${server.url}${path}`, init)).json()) as Record<string, unknown>;
const form = new FormData();
form.append('file', new Blob([csv]), 'lra.csv');
await api('api/datasets', { method: 'POST', body: form });
await api('api/fits', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ dataset: 1, mapping, chains: 4, warmup: 300, draws: 500 }) });
await poll(async () => ((await api('api/fits/1')).status === 'done' ? true : undefined));
await fetch(`${server.url}fits/1`).then((r) => r.text());
const wide = Array.from({ length: 500_000 }, (_, i) => `c${i}`).join(',');
const kinds: Record<string, () => Promise<Response>> = {
  filter: () => fetch(`${server.url}fits/1?filter=${encodeURIComponent('^([\\s\\S]|[\\s\\S])*!')}`),
  glob: () => fetch(`${server.url}fits/1?filter=${encodeURIComponent(`${'*a'.repeat(99)}!`)}`),
  upload: () => { const f = new FormData(); f.append('file', new Blob([`${wide}\n`]), 'w.csv'); return fetch(`${server.url}api/datasets`, { method: 'POST', body: f }); },
  draws: () => fetch(`${server.url}fits/1/draws.csv`),
  rope: () => fetch(`${server.url}fits/1?rope=${(Math.random() * 10).toFixed(3)}`),
  x: () => fetch(`${server.url}fits/1?x=${Math.random()}`),
};
for (const [name, f] of Object.entries(kinds)) {
  for (let rep = 0; rep < 3; rep++) {
    let stop = false;
    let maxPing = 0;
    const pinger = (async () => {
      while (!stop) {
        const t = performance.now();
        await fetch(`${server.url}api/fits/1`).then((r) => r.arrayBuffer());
        maxPing = Math.max(maxPing, performance.now() - t);
        await new Promise((r) => setTimeout(r, 5));
      }
    })();
    const t = performance.now();
    const res = await f();
    const n = (await res.arrayBuffer()).byteLength;
    const dt = performance.now() - t;
    stop = true;
    await pinger;
    console.log(name, res.status, `${n} B`, `${dt.toFixed(0)} ms`, `max ping ${maxPing.toFixed(0)} ms`);
  }
}
server.child.kill('SIGTERM');
await exited(server.child);
