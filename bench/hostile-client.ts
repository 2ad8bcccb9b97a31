/**
 * The hostile client of `npm run bench:server`, in its own process so that its work (building a
 * 4.9 MB upload, reading draws.csv) does not delay the load generator's measurements:
 * `tsx bench/hostile-client.ts BASE_URL FIT_ID SECONDS`; prints one JSON line of answer counts.
 *
 * 4 loops send in turn: a catastrophic-backtracking filter, a glob worst case, a 4.9 MB upload of
 * 500,000 columns, a draws.csv download (read in full), a new ?rope= value and a random ?x= value.
 * 400 and 503 are the server refusing politely; "error" is a failed request.
 */
const [base, fitId, seconds] = process.argv.slice(2);
const until = Date.now() + Number(seconds) * 1000;
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
const byStatus: Record<string, number> = {};
let total = 0;
await Promise.all(
  Array.from({ length: 4 }, async (_, loop) => {
    for (let i = loop; Date.now() < until; i++) {
      let key: string;
      try {
        const res = await requests[i % requests.length]();
        await res.arrayBuffer();
        key = String(res.status);
      } catch {
        key = 'error';
      }
      byStatus[key] = (byStatus[key] ?? 0) + 1;
      total++;
    }
  }),
);
process.stdout.write(`${JSON.stringify({ total, byStatus })}\n`);
