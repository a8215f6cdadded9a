/**
 * Browser tests drive Debian's chromium through playwright-core against the real server process
 * serving the built web app. Both the e2e suite and the screenshot script use these helpers.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { type ServerProcess, startServerProcess } from './server-process.ts';
import { unavailable } from './skip-or-fail.ts';

export const CHROMIUM = '/usr/bin/chromium';
export const ADMIN_EMAIL = 'admin@example.com';
export const ADMIN_PASSWORD = 'correct horse battery staple';

export const chromiumInstalled = () => existsSync(CHROMIUM);

/** For the e2e suites: whether to run, with a SKIP notice on a laptop and a failure under CI. */
export function browserAvailable(): boolean {
  if (chromiumInstalled()) return true;
  unavailable(`chromium not installed at ${CHROMIUM}`);
  return false;
}

/** The e2e suite runs against web/dist; build it when a fresh checkout has none. */
export function ensureWebBuilt() {
  if (existsSync('web/dist/index.html')) return;
  const built = spawnSync('npx', ['vite', 'build', '--config', 'web/vite.config.ts'], { stdio: 'inherit' });
  if (built.status !== 0) throw new Error('npm run build:web failed');
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
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
  });
}

/** Starts the server with a local admin account made through the admin API. */
export async function startAppWithAdmin(env: Record<string, string> = {}): Promise<ServerProcess> {
  const server = await startServerProcess({ CUSTOM_ADMIN_USERS: ADMIN_EMAIL, ...env });
  const response = await fetch(`${server.url}/api/admin/users/`, {
    method: 'POST',
    headers: { authorization: server.adminHeader, 'content-type': 'application/json' },
    body: JSON.stringify({ email: ADMIN_EMAIL, password: ADMIN_PASSWORD }),
  });
  if (response.status !== 201) {
    await server.stop();
    throw new Error(`could not create the admin user: ${response.status} ${await response.text()}`);
  }
  return server;
}

export async function newContext(browser: Browser, baseURL: string): Promise<BrowserContext> {
  const context = await browser.newContext({
    baseURL,
    acceptDownloads: true,
    viewport: { width: 1280, height: 860 },
  });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: baseURL });
  return context;
}

export async function signIn(page: Page, email = ADMIN_EMAIL, password = ADMIN_PASSWORD) {
  await page.goto('/');
  await page.getByRole('textbox', { name: 'Email' }).fill(email);
  await page.getByRole('textbox', { name: 'Password' }).fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.getByRole('heading', { name: 'Reports' }).waitFor();
}

/** The input element labelled `label` (Mantine also labels the option list with it). */
export const input = (page: Page, label: string) =>
  page.locator('input').and(page.getByLabel(new RegExp(`^${label}( \\*)?$`)));
