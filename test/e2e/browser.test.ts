import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BrowserContext, chromium } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { exited, type ServerChild, startChild } from './child.js';

/**
 * End to end in real headless Chromium (Debian's `chromium` package driven by playwright-core; never a
 * downloaded browser): upload a fixture CSV, map columns, start a short fit, watch it finish, open
 * the report, check the recommendation table and the plots, save a screenshot under test-output/.
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const FIXTURE = join(ROOT, 'fixtures/real/lra_tay2021.csv');
const OUT = join(ROOT, 'test-output');

const dir = mkdtempSync(join(tmpdir(), 'bb-e2e-'));
let server: ServerChild | undefined;
let context: BrowserContext | undefined;
afterAll(async () => {
  await context?.close();
  if (server) {
    server.child.kill('SIGTERM');
    await exited(server.child);
  }
  rmSync(dir, { recursive: true, force: true });
});

describe('browser end to end', () => {
  // Generous timeout: the machine may be busy with other test files (it has 2 cores).
  it('upload, map, fit, watch progress, read the report', { timeout: 400_000 }, async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(
        `Chromium not found at ${CHROMIUM}: install Debian's package (apt-get install -y chromium; .ci/run does this) or set CHROMIUM_PATH`,
      );
    }
    server = await startChild(join(dir, 'e2e.db'));
    context = await chromium.launchPersistentContext(join(dir, 'profile'), {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
      viewport: { width: 1280, height: 900 },
    });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(m.text());
    });
    page.on('pageerror', (e) => problems.push(e.message));

    await page.goto(`${server.url}upload`);
    await page.setInputFiles('input[name="file"]', FIXTURE);
    await Promise.all([page.waitForURL(/\/datasets\/1$/), page.click('#upload-form button')]);
    expect(await page.locator('#preview tbody tr').count()).toBeGreaterThan(0);

    // Map the columns: the four roles this published table has, no seed/study/std columns.
    await page.selectOption('select[name="heuristic"]', 'heuristic');
    await page.selectOption('select[name="task"]', 'task');
    await page.selectOption('select[name="score"]', 'value');
    await page.selectOption('select[name="category"]', 'task_category');
    for (const role of ['seed', 'study', 'std', 'n'])
      await page.selectOption(`select[name="${role}"]`, '');
    await Promise.all([page.waitForURL(/\/fits\/new\?/), page.click('#mapping-form button')]);
    expect(await page.locator('#priors tbody tr').count()).toBeGreaterThan(0);

    // Short chains: this checks the app, not the posterior.
    await page.fill('input[name="chains"]', '2');
    await page.fill('input[name="warmup"]', '150');
    await page.fill('input[name="draws"]', '150');
    await Promise.all([page.waitForURL(/\/fits\/1$/), page.click('#start-fit')]);

    // The progress page updates over server-sent events and reloads into the report when done.
    await page.locator('#recommendations').waitFor({ timeout: 300_000 });
    const rows = page.locator('#recommendations tbody tr');
    expect(await rows.count()).toBeGreaterThan(0);
    expect((await rows.first().locator('td.best').textContent())?.trim()).toBeTruthy();
    expect(await page.locator('#diagnostics').count()).toBe(1);

    // Plots rendered: the forest plot SVG has a real size on screen.
    const forest = page.locator('#plot-forest svg').first();
    const box = await forest.boundingBox();
    expect(box?.width ?? 0).toBeGreaterThan(100);
    expect(box?.height ?? 0).toBeGreaterThan(50);
    expect(await page.locator('figure.plot svg').count()).toBeGreaterThan(3);

    // Adjust the ROPE: the page re-renders from the stored draws.
    await page.fill('#decision-form input[name="rope"]', '2');
    await Promise.all([page.waitForURL(/rope=2/), page.click('#decision-form button')]);
    expect(await page.locator('#recommendations tbody tr').count()).toBeGreaterThan(0);
    expect(await page.textContent('#pairs')).toContain('recomputed from the stored draws');
    // The JSON API gives the same rebuilt document.
    const api = await page.request.get(`${server.url}api/fits/1/summary?rope=2`);
    expect((await api.json()).settings.rope).toBe(2);

    mkdirSync(OUT, { recursive: true });
    await page.screenshot({ path: join(OUT, 'e2e-report.png'), fullPage: true });
    await page.mouse.wheel(0, -100_000);
    await page.screenshot({ path: join(OUT, 'e2e-report-top.png') });
    // Home lists the finished fit with its diagnostics badge.
    await page.goto(server.url);
    expect(await page.locator('#fits .badge').count()).toBe(1);
    expect(problems).toEqual([]);
  });
});
