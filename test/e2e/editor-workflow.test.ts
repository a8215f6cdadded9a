/**
 * The editor workflow in a real browser against the real server: preview of unsaved SQL, version
 * history with review actions, the updates list, and bundle export and import.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
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

describe('editor workflow in chromium', { skip: !available, timeout: 240_000 }, () => {
  let server: ServerProcess;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const tmp = mkdtempSync(path.join(tmpdir(), 'sr-editor-e2e-'));

  const api = (method: string, url: string, authorization: string, body?: object) =>
    fetch(`${server.url}${url}`, {
      method,
      headers: { authorization, 'content-type': 'application/json' },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });

  before(async () => {
    ensureWebBuilt();
    server = await startAppWithAdmin();
    browser = await launchBrowser();
    context = await newContext(browser, server.url);
    page = await context.newPage();
    page.setDefaultTimeout(15_000);
    await signIn(page);
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    rmSync(tmp, { recursive: true, force: true });
  });

  test('preview in the editor shows rows without saving', async () => {
    await page.goto('/reports/new');
    await page.getByLabel('Name', { exact: false }).first().fill('E2E preview only');
    await input(page, 'Cluster').click();
    await page.getByRole('option', { name: 'demo', exact: true }).click();
    await page.locator('.cm-content').click();
    await page.keyboard.press('ControlOrMeta+a');
    await page.keyboard.type('select id, name from region order by id');
    await page.getByRole('button', { name: 'Preview', exact: true }).click();
    const result = page.getByTestId('preview-result');
    await result.locator('[data-testid="result-table"] tbody td').first().waitFor();
    const ids = await result.locator('[data-testid="result-table"] tbody tr td:nth-child(1)').allInnerTexts();
    assert.ok(ids.length > 0);
    assert.equal(ids[0], '1');
    // A statement that is not a query is refused before it reaches the database, in words.
    await page.locator('.cm-content').click();
    await page.keyboard.press('ControlOrMeta+a');
    await page.keyboard.type('selec nothing');
    await page.getByRole('button', { name: 'Preview', exact: true }).click();
    await page.getByRole('alert').filter({ hasText: 'one read-only statement' }).waitFor();
    // Bad SQL that is a query shows the database's message to the editor.
    await page.locator('.cm-content').click();
    await page.keyboard.press('ControlOrMeta+a');
    await page.keyboard.type('select nothing from from');
    await page.getByRole('button', { name: 'Preview', exact: true }).click();
    await page.getByRole('alert').filter({ hasText: 'syntax error' }).waitFor();
    const call = await api('GET', '/api/call/e2e-preview-only/', server.adminHeader);
    assert.equal(call.status, 404, 'the preview saved nothing');
  });

  test('version history: diff, submit, approve and promote a draft; the updates list', async () => {
    const created = await api('POST', '/api/admin/tokens/', server.adminHeader, {
      name: 'e2e-editor',
      expiry: '1d',
      groups: ['editor', '*'],
    });
    const editor = ((await created.json()) as { records: { header: string }[] }).records[0]!.header;
    const v1 = await api('GET', '/api/admin/reports/customer-by-id/versions/1/', editor);
    const { definition } = ((await v1.json()) as { records: { definition: { sql: string } }[] }).records[0]!;
    const draft = await api('PUT', '/api/admin/reports/customer-by-id/', editor, {
      ...definition,
      sql: definition.sql.replace(/^select /i, "select 'v2' as marker, "),
    });
    assert.equal(draft.status, 200, await draft.text());

    await page.goto('/updates');
    await page.getByRole('link', { name: 'Updates' }).waitFor();
    assert.equal(await page.getByTestId('updates-table').count(), 0, 'a draft waits for nobody');

    await page.goto('/reports/customer-by-id/edit');
    const row2 = page.getByTestId('version-2');
    await row2.getByText('draft').waitFor();
    await page.getByRole('button', { name: 'Diff of version 2' }).click();
    await page.locator('[data-testid="version-diff"] [data-line="added"]', { hasText: 'marker' }).waitFor();
    await page.getByRole('button', { name: 'Submit for review: version 2' }).click();
    await row2.getByText('in review').waitFor();

    await page.goto('/updates');
    const link = page.getByTestId('updates-table').getByRole('link', { name: 'Customer by id' });
    await link.click();
    await page.waitForURL('**/reports/customer-by-id/edit?version=2');
    await page.getByTestId('version-diff').waitFor();
    await page.getByRole('button', { name: 'Approve: version 2' }).click();
    await page.getByTestId('version-2').getByText('approved').waitFor();
    await page.getByRole('button', { name: 'Promote to live: version 2' }).click();
    await page.getByTestId('version-2').getByText('live').waitFor();
    const run = await api('GET', '/api/call/customer-by-id/?_id=7', server.adminHeader);
    const body = (await run.json()) as { records: { marker?: string }[] };
    assert.equal(body.records[0]?.marker, 'v2');
  });

  test("an editor's save in the editor says a draft was created", async () => {
    const email = 'editor@example.com';
    const password = 'another long passphrase';
    assert.equal(
      (await api('POST', '/api/admin/users/', server.adminHeader, { email, password })).status,
      201,
    );
    const list = await api('POST', '/api/admin/group-lists/', server.adminHeader, { name: 'editor' });
    assert.equal(list.status, 201, await list.text());
    const member = await api('POST', '/api/admin/group-lists/editor/members/', server.adminHeader, { email });
    assert.ok(member.ok, await member.text());
    const editorContext = await newContext(browser, server.url);
    try {
      const editorPage = await editorContext.newPage();
      editorPage.setDefaultTimeout(15_000);
      await signIn(editorPage, email, password);
      await editorPage.goto('/reports/orders-by-status/edit');
      await editorPage.getByLabel('Description').fill('Changed by an editor');
      await editorPage.getByRole('button', { name: 'Save', exact: true }).click();
      const note = editorPage.getByTestId('draft-saved');
      await note.waitFor();
      assert.match((await note.textContent()) ?? '', /Saved as draft version 2/);
      await editorPage.getByTestId('version-2').getByText('draft').waitFor();
      // An editor may not approve their own version once submitted.
      await editorPage.getByRole('button', { name: 'Submit for review: version 2' }).click();
      await editorPage.getByTestId('version-2').getByText('in review').waitFor();
      assert.equal(await editorPage.getByRole('button', { name: 'Approve: version 2' }).count(), 0);
    } finally {
      await editorContext.close();
    }
  });

  test('export downloads a bundle with the demo reports', async () => {
    await page.goto('/');
    await page.getByRole('link', { name: 'Import / export' }).click();
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Export YAML' }).click(),
    ]);
    const yaml = await readFile((await download.path())!, 'utf8');
    assert.match(yaml, /name: Customer by id/);
    assert.match(yaml, /^reports:/m);
  });

  test('importing a bundle file creates a report shown on the home page; errors name the entry', async () => {
    const broken = path.join(tmp, 'broken.yaml');
    writeFileSync(broken, 'reports:\n  - name: E2E broken\n    cluster: nowhere\n    sql: select 1\n');
    await page.goto('/bundle');
    await page.locator('input[type="file"]').setInputFiles(broken);
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    await page.getByRole('alert').filter({ hasText: 'E2E broken' }).waitFor();

    const good = path.join(tmp, 'small.yaml');
    writeFileSync(
      good,
      [
        'reports:',
        '  - name: E2E imported',
        '    cluster: demo',
        "    groups: ['*']",
        "    sql: select 'imported' as source",
        '',
      ].join('\n'),
    );
    await page.locator('input[type="file"]').setInputFiles(good);
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    await page.getByTestId('import-summary').waitFor();
    await page.getByRole('link', { name: 'Reports', exact: true }).click();
    await page.getByRole('link', { name: 'E2E imported' }).waitFor();
  });
});
