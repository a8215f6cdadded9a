/**
 * A scheduled email whose mail server is down is tried again with back-off, and the history
 * names the real cause; a permanent refusal (5xx) is not retried. Against real SMTP servers.
 */
import assert from 'node:assert/strict';
import net, { type AddressInfo } from 'node:net';
import { after, test } from 'node:test';
import { type SmtpSink, startSmtpSink } from '../helpers/smtp-sink.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';

interface RunRecord {
  outcome: string;
  deliveries: Array<{ kind: string; ok: boolean; detail: Record<string, unknown>; error: string | null }>;
}

const cleanups: (() => Promise<void>)[] = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

/** A port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const server = net.createServer().listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function appMailingTo(port: number): Promise<TestApp> {
  const t = await createTestApp({ SMTP_URL: `smtp://127.0.0.1:${port}`, CUSTOM_MAIL_DOMAINS: 'example.com' });
  cleanups.push(() => t.close());
  return t;
}

/** Creates a daily mail schedule and runs it now; answers the run record. */
async function mailNow(t: TestApp): Promise<RunRecord> {
  const headers = { authorization: t.adminHeader };
  const created = await t.app.server.inject({
    method: 'POST',
    url: '/api/schedules/',
    headers,
    payload: {
      report: 'customer-by-id',
      cron: 'daily',
      params: { _id: 42 },
      deliveries: { email: { to: ['ops@example.com'] } },
    },
  });
  assert.equal(created.statusCode, 201, created.body);
  const id = created.json().records[0].id as number;
  const run = await t.app.server.inject({ method: 'POST', url: `/api/schedules/${id}/run-now/`, headers });
  assert.equal(run.statusCode, 200, run.body);
  const history = await t.app.server.inject({ url: `/api/schedules/${id}/runs/`, headers });
  const [latest] = history.json().records as RunRecord[];
  assert.ok(latest);
  return latest;
}

test('mail server down: four attempts, and the history says connection refused', async () => {
  const port = await closedPort();
  const started = Date.now();
  const run = await mailNow(await appMailingTo(port));
  const [email] = run.deliveries;
  assert.equal(run.outcome, 'delivery_failed');
  assert.equal(email?.ok, false);
  assert.equal(email?.detail.attempts, 4);
  assert.match(
    email?.error ?? '',
    new RegExp(`connection refused \\(mail server 127\\.0\\.0\\.1:${port}\\)`),
  );
  assert.doesNotMatch(email?.error ?? '', /did not accept/);
  // The back-off: 0.5 + 1 + 2 s between the attempts.
  assert.ok(Date.now() - started >= 3500);
});

test('mail server that comes up between attempts: delivered on attempt 2', async () => {
  const port = await closedPort();
  let sink: SmtpSink | undefined;
  // The first connection is cut before the greeting; then the real server takes the port.
  const flaky = net.createServer((socket) => {
    socket.destroy();
    flaky.close(async () => {
      sink = await startSmtpSink({ port });
      cleanups.push(() => sink?.close() ?? Promise.resolve());
    });
  });
  await new Promise<void>((resolve) => flaky.listen(port, '127.0.0.1', resolve));
  const run = await mailNow(await appMailingTo(port));
  const [email] = run.deliveries;
  assert.equal(run.outcome, 'ok', JSON.stringify(run));
  assert.equal(email?.detail.attempts, 2);
  assert.equal(sink?.messages.length, 1);
  assert.deepEqual(sink?.messages[0]?.envelopeTo, ['ops@example.com']);
});

test('a permanent refusal (5xx) is not retried, and the reply is in the history', async () => {
  const sink = await startSmtpSink({ refuseRecipients: 550 });
  cleanups.push(() => sink.close());
  const run = await mailNow(await appMailingTo(Number(new URL(sink.url).port)));
  const [email] = run.deliveries;
  assert.equal(run.outcome, 'delivery_failed');
  assert.equal(email?.detail.attempts, 1);
  assert.match(email?.error ?? '', /refused the message: 550 Mailbox unavailable/);
  assert.equal(sink.messages.length, 0);
});
