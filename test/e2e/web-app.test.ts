/**
 * The web app in a real browser against the real server: sign-in, running and sorting reports,
 * CSV download, tokens, the report editor, and stored HTML/script payloads that must not run.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import {
  browserAvailable,
  ensureWebBuilt,
  input,
  launchBrowser,
  newContext,
  signIn,
  startAppWithAdmin,
} from '../helpers/browser.ts';
import type { ServerProcess } from '../helpers/server-process.ts';

const available = browserAvailable();
if (!available) console.log('SKIP: chromium not found at /usr/bin/chromium');

const cellTexts = (page: Page, column: number) =>
  page.locator(`[data-testid="result-table"] tbody tr td:nth-child(${column})`).allInnerTexts();

describe('web app in chromium', { skip: !available, timeout: 240_000 }, () => {
  let server: ServerProcess;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const dialogs: string[] = [];
  const consoleErrors: string[] = [];

  before(async () => {
    ensureWebBuilt();
    server = await startAppWithAdmin();
    browser = await launchBrowser();
    context = await newContext(browser, server.url);
    page = await context.newPage();
    page.setDefaultTimeout(15_000);
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  test('signs in with the local form and shows the runnable reports grouped', async () => {
    await signIn(page);
    await page.getByRole('link', { name: 'Customer by id' }).waitFor();
    assert.equal(await page.getByTestId('signed-in-as').textContent(), 'admin@example.com');
    await page.getByLabel('Search reports').fill('orders');
    assert.equal(await page.getByRole('link', { name: 'Customer by id' }).count(), 0);
    assert.equal(await page.getByRole('link', { name: 'Orders by status' }).count(), 1);
    // The app runs under its own CSP (no inline script) without tripping it.
    assert.deepEqual(
      consoleErrors.filter((text) => /Content Security Policy/i.test(text)),
      [],
    );
  });

  test('runs a report with a parameter', async () => {
    await page.goto('/reports/customer-by-id');
    await page.getByLabel('Customer id').fill('7');
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    await page.waitForFunction(() =>
      [...document.querySelectorAll('[data-testid="result-table"] tbody td')].some(
        (td) => td.textContent === '7',
      ),
    );
    assert.deepEqual(await cellTexts(page, 1), ['7']);
  });

  test('the Run button spins while the run is in flight, and not after', async () => {
    let release = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const calls = '**/api/call/customer-by-id/**';
    const runButton = 'form[aria-label="Report parameters"] button[type="submit"]';
    const run = page.getByRole('button', { name: 'Run', exact: true });
    await page.goto('/reports/customer-by-id');
    // The report runs at once on opening; that run ends before this test holds the next one.
    await page.getByTestId('result-table').waitFor();
    await page.waitForSelector(`${runButton}:not([data-loading])`);
    await page.route(calls, async (route) => {
      await held;
      await route.continue();
    });
    try {
      await page.getByLabel('Customer id').fill('8');
      await run.click();
      await page.waitForSelector(`${runButton}[data-loading]`);
      assert.equal(await run.isDisabled(), true);
      release();
      await page.waitForSelector(`${runButton}:not([data-loading])`);
      assert.equal(await run.isDisabled(), false);
      assert.deepEqual(await cellTexts(page, 1), ['8']);
    } finally {
      release();
      await page.unroute(calls);
    }
  });

  test('sorts the table by a column, both ways, with a totals row', async () => {
    await page.goto('/reports/orders-by-status');
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    await page.getByTestId('totals-row').waitFor();
    const header = page.getByRole('button', { name: /^total( [▲▼])?$/ });
    await header.click();
    const ascending = (await cellTexts(page, 5)).map(Number);
    assert.ok(ascending.length > 5);
    assert.deepEqual(
      ascending,
      [...ascending].sort((a, b) => a - b),
    );
    await header.click();
    const descending = (await cellTexts(page, 5)).map(Number);
    assert.deepEqual(
      descending,
      [...descending].sort((a, b) => b - a),
    );
    assert.ok(descending[0]! > ascending[0]!);
  });

  test('downloads the run as CSV with the same rows', async () => {
    const rowCount = Number(
      ((await page.getByTestId('row-count').textContent()) ?? '').split(' ')[0]!.replace(/\D/g, ''),
    );
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'CSV' }).click(),
    ]);
    const csv = await readFile((await download.path())!, 'utf8');
    const lines = csv.trim().split(/\r?\n/);
    assert.equal(lines[0], 'id,ordered_on,customer,status,total');
    assert.equal(lines.length - 1, rowCount);
    assert.match(lines[1]!, /^\d+,2025-\d\d-\d\d,/);
  });

  test('creates a token, copies its header, and the header calls /api/call', async () => {
    await page.goto('/admin/tokens');
    await page.getByLabel('Name').fill('e2e-token');
    const groups = page.getByRole('combobox', { name: 'Groups' });
    await groups.fill('*');
    await groups.press('Enter');
    await page.getByRole('button', { name: 'Add token' }).click();
    const shown = ((await page.getByTestId('token-header').textContent()) ?? '').trim();
    assert.match(shown, /^Authorization: Basic \S+$/);
    await page.getByRole('button', { name: 'Copy header' }).click();
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    assert.equal(copied, shown);
    await page.getByTestId('token-card').filter({ hasText: 'e2e-token' }).waitFor();
    const header = copied.replace(/^Authorization: /, '');
    const response = await fetch(`${server.url}/api/call/customer-by-id/?_id=7`, {
      headers: { authorization: header },
    });
    assert.equal(response.status, 200);
    const body = (await response.json()) as { ok: boolean; records: { id: number }[] };
    assert.equal(body.ok, true);
    assert.equal(body.records[0]?.id, 7);
  });

  test('creates a report in the editor and runs it', async () => {
    await page.goto('/reports/new');
    await page.getByLabel('Name', { exact: false }).first().fill('E2E doubled');
    await input(page, 'Cluster').click();
    await page.getByRole('option', { name: 'demo', exact: true }).click();
    const editor = page.locator('.cm-content');
    await editor.click();
    await page.keyboard.press('ControlOrMeta+a');
    await page.keyboard.type('select :_n * 2 as doubled');
    await page.getByRole('tab', { name: /Fields/ }).click();
    await page.getByRole('button', { name: 'Add field' }).click();
    await page.getByLabel('Name (bind variable)').fill('_n');
    await page.getByLabel('Label', { exact: true }).fill('N');
    await input(page, 'Type').last().click();
    await page.getByRole('option', { name: 'integer', exact: true }).click();
    await page.getByLabel('Default').fill('3');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.waitForURL('**/reports/e2e-doubled');
    await page.getByRole('textbox', { name: 'N', exact: true }).fill('21');
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    await page.waitForFunction(
      () => document.querySelector('[data-testid="result-table"] tbody td')?.textContent === '42',
    );
  });

  test('HTML and script stored in data or a template does not execute', async () => {
    const create = async (report: object) => {
      const response = await fetch(`${server.url}/api/admin/reports/`, {
        method: 'POST',
        headers: { authorization: server.adminHeader, 'content-type': 'application/json' },
        body: JSON.stringify(report),
      });
      assert.equal(response.status, 201, await response.text());
    };
    const payload = `'<img src=x onerror="window.__pwned=1;alert(1)"><script>window.__pwned=2</script>'`;
    await create({
      name: 'Payload data',
      cluster: 'demo',
      groups: ['*'],
      run_immediate: true,
      sql: `select ${payload} as payload`,
    });
    await create({
      name: 'Payload template',
      type: 'template',
      cluster: 'demo',
      groups: ['*'],
      sql: `select ${payload} as payload`,
      output: {
        display: 'table',
        html_template:
          '<p id="marker">template ran</p><script>window.parent.__pwned=3;alert(3)</script><img src=x onerror="parent.__pwned=4">{{ records[0].payload | safe }}',
      },
    });
    await page.goto('/reports/payload-data');
    await page.getByText('<img src=x onerror=', { exact: false }).waitFor();
    await page.goto('/reports/payload-template');
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    const frame = page.frameLocator('[data-testid="template-frame"]');
    await frame.locator('#marker').waitFor();
    await page.waitForTimeout(500);
    assert.equal(await page.evaluate(() => (window as { __pwned?: unknown }).__pwned), undefined);
    assert.equal(await page.getByTestId('template-frame').getAttribute('sandbox'), '');
    assert.deepEqual(dialogs, []);
  });
});
