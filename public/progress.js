// Live per-chain progress of a fit over server-sent events (GET /fits/:id/events).
// Loaded as a file because helmet's default Content-Security-Policy forbids inline scripts.
(() => {
  const root = document.getElementById('progress');
  if (root?.dataset.active !== '1' || !('EventSource' in window)) return;
  const fit = root.dataset.fit;
  const live = document.getElementById('live-status');
  const source = new EventSource(`/fits/${encodeURIComponent(fit)}/events`);
  source.addEventListener('progress', (ev) => {
    const progress = JSON.parse(ev.data);
    for (const c of progress.chains || []) {
      const row = root.querySelector(`.chain[data-chain="${Number(c.chain)}"]`);
      if (!row) continue;
      const bar = row.querySelector('progress');
      bar.max = c.total;
      bar.value = c.iteration;
      row.querySelector('.chain-text').textContent = `${c.iteration} / ${c.total} (${c.phase})`;
    }
    if (live) live.textContent = `${Math.round((progress.fraction || 0) * 100)}% done`;
  });
  source.addEventListener('status', (ev) => {
    const status = JSON.parse(ev.data);
    source.close();
    if (live) live.textContent = `Fit ${status.status}; loading…`;
    window.location.reload();
  });
  source.onerror = () => {
    // The stream ends after the status event; on a dropped connection the browser retries itself.
  };
})();
