import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { cleanUpAudit, startAuditCleanup } from '../../src/jobs/audit-cleanup.ts';
import { auditRepo } from '../../src/store/audit-repo.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';

let t: TestApp;
before(async () => {
  t = await createTestApp({ CUSTOM_REPORT_AUDIT_AGE_DAYS: '45' });
});
after(() => t.close());

const DAY_MS = 86_400_000;
const now = new Date('2026-06-01T12:00:00.000Z');
const daysBefore = (days: number) => new Date(now.getTime() - days * DAY_MS).toISOString();

async function insertAt(action: string, at: string) {
  await auditRepo(t.app.store.db).insert({ at, principal: 'cleanup-test', action, outcome: 'ok' });
}

async function remainingActions(): Promise<string[]> {
  const rows = await t.app.store.db
    .selectFrom('audit')
    .select('action')
    .where('principal', '=', 'cleanup-test')
    .orderBy('action')
    .execute();
  return rows.map((row) => row.action);
}

const silentLog = () => {
  const errors: unknown[] = [];
  return { errors, info: () => {}, error: (details: object) => errors.push(details) };
};

describe('audit retention', () => {
  test('records older than the age are deleted, newer ones kept', async () => {
    await insertAt('old-100', daysBefore(100));
    await insertAt('old-46', daysBefore(46));
    await insertAt('new-44', daysBefore(44));
    await insertAt('new-1', daysBefore(1));
    const deleted = await cleanUpAudit(auditRepo(t.app.store.db), t.app.config.auditAgeDays, now);
    assert.equal(deleted, 2);
    assert.deepEqual(await remainingActions(), ['new-1', 'new-44']);
  });

  test('the scheduled job runs once at start against the real store', async () => {
    await insertAt('ancient', '2001-01-01T00:00:00.000Z');
    const log = silentLog();
    const job = startAuditCleanup(auditRepo(t.app.store.db), 45, log);
    await job.firstRun;
    job.stop();
    assert.ok(!(await remainingActions()).includes('ancient'));
    assert.deepEqual(log.errors, []);
  });

  test('a failing cleanup is logged and does not throw', async () => {
    const log = silentLog();
    const broken = {
      deleteOlderThan: async (): Promise<number> => {
        throw new Error('store is down');
      },
    };
    const job = startAuditCleanup(broken, 45, log);
    await job.firstRun;
    job.stop();
    assert.equal(log.errors.length, 1);
  });
});
