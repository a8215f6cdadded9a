/**
 * The report page's actions in a real browser against the real server: comments (stored markup
 * shown as text, never run), a schedule with a signed API-target delivery run on demand with its
 * history, and emailing the report to the signed-in address through a real SMTP sink.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import {
  ADMIN_EMAIL,
  browserAvailable,
  ensureWebBuilt,
  launchBrowser,
  newContext,
  signIn,
  startAppWithAdmin,
} from '../helpers/browser.ts';
import type { ServerProcess } from '../helpers/server-process.ts';
import { header, mimeParts, type SmtpSink, startSmtpSink } from '../helpers/smtp-sink.ts';
import { signatureMatches, startReceiver, type WebhookReceiver } from '../helpers/webhook-receiver.ts';

const available = browserAvailable();
if (!available) console.log('SKIP: chromium not found at /usr/bin/chromium');

const PAYLOAD = '<b>bold</b><img src=x onerror="window.__pwned=1">';
const SECRET = 'a long shared secret for the e2e receiver';

async function waitUntil(check: () => boolean, what: string, ms = 15_000) {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('report page actions in chromium', { skip: !available, timeout: 240_000 }, () => {
  let server: ServerProcess;
  let browser: Browser;
  let page: Page;
  let receiver: WebhookReceiver;
  let smtp: SmtpSink;
  const dialogs: string[] = [];

  before(async () => {
    ensureWebBuilt();
    receiver = await startReceiver();
    smtp = await startSmtpSink();
    server = await startAppWithAdmin({
      ALLOW_PRIVATE_TARGETS: 'true',
      SMTP_URL: smtp.url,
      MAIL_FROM: 'reports@example.com',
    });
    browser = await launchBrowser();
    const context = await newContext(browser, server.url);
    page = await context.newPage();
    page.setDefaultTimeout(15_000);
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    await signIn(page);
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    await receiver?.close();
    await smtp?.close();
  });

  test('a comment with markup shows as literal text, runs nothing, and can be edited', async () => {
    await page.goto('/reports/customer-by-id');
    await page.getByRole('tab', { name: 'Comments' }).click();
    await page.getByLabel('Add a comment').fill(PAYLOAD);
    await page.getByRole('button', { name: 'Post comment' }).click();
    const body = page.getByTestId('comment-body');
    await body.waitFor();
    assert.equal(await body.textContent(), PAYLOAD);
    assert.equal(await page.getByTestId('comments').locator('b, img').count(), 0);
    assert.equal(await page.getByTestId('comment').getByText(ADMIN_EMAIL).count(), 1);
    await page.waitForTimeout(300);
    assert.equal(await page.evaluate(() => (window as { __pwned?: unknown }).__pwned), undefined);

    await page.getByTestId('comment').getByRole('button', { name: 'Edit' }).click();
    await page.getByLabel('Edit comment').fill(`${PAYLOAD} (edited)`);
    await page.getByRole('button', { name: 'Save comment' }).click();
    await page.getByTestId('comment-edited').waitFor();
    assert.equal(await body.textContent(), `${PAYLOAD} (edited)`);
    assert.equal(await page.evaluate(() => (window as { __pwned?: unknown }).__pwned), undefined);
    assert.deepEqual(dialogs, []);
  });

  test('a schedule with an API target runs now, delivers a signed envelope and shows in the history', async () => {
    await page.goto('/reports/customer-by-id');
    await page.getByLabel('Customer id').fill('7');
    await page.getByRole('button', { name: 'Schedule', exact: true }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Schedule name').fill('E2E hook');
    await dialog.getByRole('checkbox', { name: 'Deliver by email' }).uncheck();
    await dialog.getByRole('checkbox', { name: 'Deliver to an API target' }).check();

    // A bad secret is refused, and the server's message names the field.
    await dialog.getByLabel('Target URL').fill(receiver.url);
    await dialog.getByLabel('Signing secret').fill('short');
    await dialog.getByRole('button', { name: 'Create schedule' }).click();
    const error = await dialog.getByTestId('schedule-error').textContent();
    assert.match(error ?? '', /secret/);

    await dialog.getByLabel('Signing secret').fill(SECRET);
    await dialog.getByRole('button', { name: 'Add header' }).click();
    await dialog.getByLabel('Header 1 name').fill('X-Team');
    await dialog.getByLabel('Header 1 value').fill('finance');
    await dialog.getByRole('button', { name: 'Create schedule' }).click();
    await dialog.waitFor({ state: 'detached' });

    const card = page.getByTestId('schedule-card').filter({ hasText: 'E2E hook' });
    await card.waitFor();
    assert.match((await card.textContent()) ?? '', /active/);
    await card.getByRole('button', { name: 'Run now' }).click();
    await waitUntil(() => receiver.received.length > 0, 'the API target delivery');
    const [delivery] = receiver.received;
    assert.ok(
      signatureMatches(delivery!.body, delivery!.headers['x-secure-reporter-signature'], SECRET),
      'the delivery is signed with the secret',
    );
    assert.equal(delivery!.headers['x-team'], 'finance');
    const envelope = JSON.parse(delivery!.body) as { ok: boolean; records: { id: number }[] };
    assert.equal(envelope.ok, true);
    assert.deepEqual(
      envelope.records.map((record) => record.id),
      [7],
    );
    const run = card.getByTestId('schedule-run');
    await run.first().waitFor();
    assert.equal(await run.count(), 1);
    const text = (await run.first().textContent()) ?? '';
    assert.match(text, /ok/);
    assert.match(text, /HTTP 200/);

    // The same schedule on the "My schedules" page from the navigation; delete it there.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'My schedules' }).click();
    const listed = page.getByTestId('schedule-card').filter({ hasText: 'E2E hook' });
    await listed.getByRole('button', { name: 'History' }).click();
    await listed.getByTestId('schedule-run').first().waitFor();
    await listed.getByRole('button', { name: 'Delete' }).click();
    await listed.getByRole('button', { name: 'Really delete' }).click();
    await page.getByText('No schedules yet.').waitFor();
  });

  test('emails the report to the signed-in address', async () => {
    await page.goto('/reports/customer-by-id');
    await page.getByLabel('Customer id').fill('7');
    await page.getByRole('button', { name: 'Email', exact: true }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Subject').fill('E2E mail');
    await dialog
      .locator('input')
      .and(dialog.getByLabel('Attachment', { exact: true }))
      .click();
    await page.getByRole('option', { name: 'CSV' }).click();
    await dialog.getByRole('button', { name: 'Send' }).click();
    const outcome = dialog.getByTestId('email-outcome');
    await outcome.waitFor();
    assert.match((await outcome.textContent()) ?? '', new RegExp(`Sent 1 row to ${ADMIN_EMAIL}`));
    await waitUntil(() => smtp.messages.length > 0, 'the mail');
    const [mail] = smtp.messages;
    assert.deepEqual(mail!.envelopeTo, [ADMIN_EMAIL]);
    assert.equal(header(mail!.raw.slice(0, mail!.raw.indexOf('\r\n\r\n')), 'subject'), 'E2E mail');
    const csv = mimeParts(mail!.raw).find((part) => part.filename?.endsWith('.csv'));
    assert.ok(csv, 'a CSV attachment');
    assert.match(csv.text, /^id,/);
    // The form's parameter value reached the run: only customer 7.
    assert.match(csv.text, /\r?\n7,/);
    assert.equal(csv.text.trim().split(/\r?\n/).length, 2);
  });
});
