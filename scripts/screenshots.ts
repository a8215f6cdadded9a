/**
 * `npm run screenshots`: starts the real server with the demo, signs in through the web app in
 * chromium, and saves PNGs of the main pages to docs/screenshots/ for the README.
 */
import { mkdirSync } from 'node:fs';
import type { Page } from 'playwright-core';
import {
  CHROMIUM,
  chromiumInstalled,
  ensureWebBuilt,
  launchBrowser,
  newContext,
  signIn,
  startAppWithAdmin,
} from '../test/helpers/browser.ts';

const OUT = 'docs/screenshots';

async function shoot(page: Page, name: string, ready: () => Promise<unknown>) {
  await ready();
  await page.waitForTimeout(600);
  await page.screenshot({ path: `${OUT}/${name}.png` });
  console.log(`saved ${OUT}/${name}.png`);
}

async function main() {
  if (!chromiumInstalled()) throw new Error(`chromium not found at ${CHROMIUM}`);
  ensureWebBuilt();
  mkdirSync(OUT, { recursive: true });
  const server = await startAppWithAdmin();
  const browser = await launchBrowser();
  try {
    const context = await newContext(browser, server.url);
    const page = await context.newPage();
    await shoot(page, 'sign-in', () => page.goto('/'));
    await signIn(page);
    await shoot(page, 'home', () => page.getByRole('link', { name: 'Customer by id' }).waitFor());
    await page.goto('/reports/orders-by-status');
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    await shoot(page, 'report-table', () => page.getByTestId('totals-row').waitFor());
    await page.goto('/reports/sales-by-region');
    await shoot(page, 'report-graph', () => page.locator('canvas').first().waitFor());
    await page.goto('/reports/sales-overview');
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    await shoot(page, 'report-panel', () => page.locator('canvas').first().waitFor());
    await page.goto('/reports/games-per-connection');
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    await shoot(page, 'report-distribute', () => page.getByRole('region').nth(1).waitFor());
    await page.goto('/reports/customer-card');
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    await shoot(page, 'report-template', () => page.getByTestId('template-frame').waitFor());
    await page.goto('/reports/orders-by-status');
    await page.getByRole('tab', { name: 'API' }).click();
    await shoot(page, 'report-api', () => page.getByText('import requests').waitFor());
    await page.goto('/admin/tokens');
    const groups = page.getByRole('combobox', { name: 'Groups' });
    await page.getByLabel('Name').fill('reporting-bot');
    await groups.fill('*');
    await groups.press('Enter');
    await page.getByRole('button', { name: 'Add token' }).click();
    await shoot(page, 'tokens', () => page.getByTestId('token-header').waitFor());
    await page.goto('/reports/orders-by-status/edit');
    await shoot(page, 'editor', () => page.locator('.cm-content').waitFor());
    await page.setViewportSize({ width: 390, height: 800 });
    await page.goto('/reports/key-figures');
    await shoot(page, 'phone-cards', () => page.getByText('Run', { exact: true }).waitFor());
  } finally {
    await browser.close();
    await server.stop();
  }
}

await main();
