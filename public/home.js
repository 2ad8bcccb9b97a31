// Home page: while a fit is queued or running, poll GET /api/fits every 2 s and reload the page
// when any status changes (so finished fits show their diagnostics badge). File, not inline: CSP.
(() => {
  const table = document.getElementById('fits');
  if (!table?.querySelector('.status-running, .status-queued')) return;
  const shown = new Map();
  for (const row of table.querySelectorAll('tbody tr[data-fit]')) {
    shown.set(row.dataset.fit, row.dataset.status);
  }
  const timer = setInterval(async () => {
    try {
      const res = await fetch('/api/fits', { headers: { Accept: 'application/json' } });
      if (!res.ok) return;
      const fits = await res.json();
      const changed = fits.some(
        (f) => shown.has(String(f.id)) && shown.get(String(f.id)) !== f.status,
      );
      if (changed) {
        clearInterval(timer);
        window.location.reload();
      }
    } catch {
      // The server may be restarting; try again at the next tick.
    }
  }, 2000);
})();
