/**
 * Every change a service makes is one transaction with its audit record: when a later step
 * fails (the store refuses a write, a bundle's last entry is bad), nothing of the change is
 * kept. Run on a SQLite and on a PostgreSQL metadata store.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { stringify } from 'yaml';
import { failInserts, INJECTED_FAILURE } from '../helpers/failing-writes.ts';
import { metadataStores } from '../helpers/metadata-stores.ts';
import { createTestApp, createToken, type TestApp } from '../helpers/test-app.ts';

const stores = await metadataStores('sr_rollback');

for (const store of stores) {
  describe(`changes roll back as a whole on a ${store.name} store`, {
    skip: store.skip && 'server not reachable',
  }, () => {
    let t: TestApp;
    before(async () => {
      t = await createTestApp({ ...(await store.env()), ALLOW_PRIVATE_TARGETS: 'true' });
    });
    after(async () => {
      await t?.close();
      await store.drop();
    });

    const call = (
      method: 'GET' | 'POST' | 'PUT' | 'DELETE',
      url: string,
      payload?: unknown,
      auth = t.adminHeader,
    ) =>
      t.app.server.inject({ method, url, headers: { authorization: auth }, ...(payload ? { payload } : {}) });
    const failing = (table: string, when?: string) => failInserts(t.app.store, table, when);
    /** Rows of `table` matching a condition written in SQL (the tests' own constants only). */
    async function count(table: string, where: string): Promise<number> {
      const { rows } = await sql<{
        n: number | string;
      }>`select count(*) as n from ${sql.table(table)} where ${sql.raw(where)}`.execute(t.app.store.db);
      return Number(rows[0]?.n);
    }
    /** A 500 caused by the injected failure, not by anything else. */
    function assertInjected(response: { statusCode: number; body: string }) {
      assert.equal(response.statusCode, 500, response.body);
      assert.doesNotMatch(response.body, new RegExp(INJECTED_FAILURE), 'internals stay hidden');
    }
    const demoFile = () => path.join(t.dataDir, 'demo.sqlite');

    test('a new connection whose cluster cannot be saved leaves no connection and no audit', async () => {
      const lift = await failing('cluster');
      try {
        assertInjected(
          await call('POST', '/api/admin/connections/', {
            name: 'half-saved',
            driver: 'sqlite',
            settings: { file: demoFile() },
          }),
        );
      } finally {
        await lift();
      }
      assert.equal(await count('connection', "name = 'half-saved'"), 0);
      assert.equal(
        await count('audit', "action = 'connection.create' and params_json like '%half-saved%'"),
        0,
      );
      const saved = await call('POST', '/api/admin/connections/', {
        name: 'half-saved',
        driver: 'sqlite',
        settings: { file: demoFile() },
      });
      assert.equal(saved.statusCode, 201, 'the same save works once the store accepts it');
      assert.equal(await count('cluster', "name = 'half-saved'"), 1);
    });

    test('a report whose version cannot be written leaves no report, fields or groups', async () => {
      const report = {
        name: 'Rollback probe',
        cluster: 'demo',
        groups: ['*', 'probe-group'],
        sql: 'select :_x as x',
        fields: [{ name: '_x', type: 'text' }],
      };
      const lift = await failing('report_version');
      try {
        assertInjected(await call('POST', '/api/admin/reports/', report));
      } finally {
        await lift();
      }
      assert.equal(await count('report', "name = 'Rollback probe'"), 0);
      assert.equal(await count('report_group', "group_name = 'probe-group'"), 0);
      assert.equal(await count('report_field', "name = '_x'"), 0);
      assert.equal(
        await count('audit', "action = 'report.create' and params_json like '%Rollback probe%'"),
        0,
      );
    });

    test('an update whose version cannot be written keeps the live definition', async () => {
      const before = (await call('GET', '/api/admin/reports/')).json().records;
      const current = before.find((r: { name: string }) => r.name === 'Select test');
      const lift = await failing('report_version');
      try {
        assertInjected(
          await call('PUT', '/api/admin/reports/select-test/', {
            name: 'Select test',
            cluster: 'demo',
            groups: ['*'],
            description: 'changed half-way',
            sql: 'select id, name from region where id = :_select_test_one and :_extra = :_extra',
            fields: [
              { name: '_select_test_one', type: 'integer' },
              { name: '_extra', type: 'text' },
            ],
          }),
        );
      } finally {
        await lift();
      }
      const after = (await call('GET', '/api/admin/reports/')).json().records;
      assert.deepEqual(
        after.find((r: { name: string }) => r.name === 'Select test'),
        current,
      );
      assert.equal(await count('report_field', "name = '_extra'"), 0);
    });

    test('a promotion whose audit record cannot be written changes neither report nor versions', async () => {
      const editor = await createToken(t, `editor-${Date.now()}`, [t.app.config.editorGroup]);
      const draft = await call(
        'PUT',
        '/api/admin/reports/customer-by-id/',
        {
          name: 'Customer by id',
          cluster: 'demo',
          groups: ['*'],
          description: 'the draft',
          sql: 'select id, name, email, credit_limit from customer where id = :_id',
          fields: [{ name: '_id', type: 'integer', required: true, default: 42 }],
        },
        editor,
      );
      assert.equal(draft.statusCode, 200, draft.body);
      const number = draft.json().records[0].version.number as number;
      const versionsBefore = (await call('GET', '/api/admin/reports/customer-by-id/versions/')).json()
        .records;
      const lift = await failing('audit', "NEW.action = 'report.version.promote'");
      try {
        assertInjected(await call('POST', `/api/admin/reports/customer-by-id/versions/${number}/promote/`));
      } finally {
        await lift();
      }
      const versionsAfter = (await call('GET', '/api/admin/reports/customer-by-id/versions/')).json().records;
      assert.deepEqual(versionsAfter, versionsBefore);
      assert.equal(await count('report', "slug = 'customer-by-id' and description = 'the draft'"), 0);
      const promoted = await call('POST', `/api/admin/reports/customer-by-id/versions/${number}/promote/`);
      assert.equal(promoted.statusCode, 200, promoted.body);
      assert.equal(await count('report', "slug = 'customer-by-id' and description = 'the draft'"), 1);
    });

    test('a bundle whose last entry is bad keeps none of its entries', async () => {
      const bundle = {
        connections: [
          { name: 'b-conn', driver: 'sqlite', settings: { file: demoFile() }, create_cluster: false },
        ],
        clusters: [{ name: 'b-cluster', connections: ['b-conn'] }],
        reports: [{ name: 'Bundle probe', cluster: 'b-cluster', groups: ['*'], sql: 'select 1 as one' }],
        group_lists: [{ name: 'b-list', members: ['member@example.com'] }],
        access_groups: [
          { table: 'region', group: 'b-list', where: 'id = 1' },
          { table: 'region', group: 'b-other', where: 'id = 1; drop table region' },
        ],
      };
      const response = await t.app.server.inject({
        method: 'POST',
        url: '/api/admin/bundle/import/',
        headers: { authorization: t.adminHeader, 'content-type': 'application/yaml' },
        payload: stringify(bundle),
      });
      assert.equal(response.statusCode, 400, response.body);
      assert.match(response.json().message, /Access group "region\/b-other"/);
      assert.equal(await count('connection', "name = 'b-conn'"), 0);
      assert.equal(await count('cluster', "name = 'b-cluster'"), 0);
      assert.equal(await count('report', "name = 'Bundle probe'"), 0);
      assert.equal(await count('group_list', "name = 'b-list'"), 0);
      assert.equal(await count('group_member', "email = 'member@example.com'"), 0);
      assert.equal(await count('access_group', "group_name = 'b-list'"), 0);
      assert.equal(await count('audit', "params_json like '%b-conn%'"), 0);
    });

    test('a group-list member and an access group are not kept without their audit record', async () => {
      assert.equal((await call('POST', '/api/admin/group-lists/', { name: 'r-list' })).statusCode, 201);
      const liftMember = await failing('audit', "NEW.action = 'group_list.member_add'");
      try {
        assertInjected(
          await call('POST', '/api/admin/group-lists/r-list/members/', { email: 'x@example.com' }),
        );
      } finally {
        await liftMember();
      }
      assert.deepEqual((await call('GET', '/api/admin/group-lists/r-list/')).json().records[0].members, []);
      const liftAccess = await failing('audit', "NEW.action = 'access_group.create'");
      try {
        assertInjected(
          await call('POST', '/api/admin/access-groups/', {
            table: 'region',
            group: 'r-list',
            where: 'id = 2',
          }),
        );
      } finally {
        await liftAccess();
      }
      assert.equal(await count('access_group', "group_name = 'r-list'"), 0);
    });

    test('a user, and a sign-in, are not kept without their audit record', async () => {
      const liftCreate = await failing('audit', "NEW.action = 'user.create'");
      try {
        assertInjected(
          await call('POST', '/api/admin/users/', {
            email: 'kept@example.com',
            password: 'a long password 1',
          }),
        );
      } finally {
        await liftCreate();
      }
      assert.equal(await count('app_user', "email = 'kept@example.com'"), 0);
      const created = await call('POST', '/api/admin/users/', {
        email: 'kept@example.com',
        password: 'a long password 1',
      });
      assert.equal(created.statusCode, 201, created.body);
      const liftLogin = await failing('audit', "NEW.action = 'user.login'");
      try {
        const login = await t.app.server.inject({
          method: 'POST',
          url: '/auth/login',
          payload: { email: 'kept@example.com', password: 'a long password 1' },
        });
        assertInjected(login);
        assert.equal(login.cookies.find((c) => c.name === 'sr_session')?.value, undefined);
      } finally {
        await liftLogin();
      }
      const user = "user_id in (select id from app_user where email = 'kept@example.com')";
      assert.equal(await count('session', user), 0);
      assert.equal(await count('app_user', "email = 'kept@example.com' and last_login is null"), 1);
    });

    test('a schedule, its change and its deletion are not kept without their audit record', async () => {
      const schedule = {
        name: 'rollback-sched',
        report: 'customer-by-id',
        cron: 'daily',
        timezone: 'UTC',
        params: { _id: 42 },
        deliveries: { api: { url: 'http://127.0.0.1:9/hook' } },
      };
      const liftCreate = await failing('audit', "NEW.action = 'schedule.create'");
      try {
        assertInjected(await call('POST', '/api/schedules/', schedule));
      } finally {
        await liftCreate();
      }
      assert.equal(await count('schedule', "name = 'rollback-sched'"), 0);
      const created = await call('POST', '/api/schedules/', schedule);
      assert.equal(created.statusCode, 201, created.body);
      const id = created.json().records[0].id as number;
      const liftUpdate = await failing('audit', "NEW.action = 'schedule.update'");
      try {
        assertInjected(await call('PUT', `/api/schedules/${id}/`, { name: 'renamed' }));
      } finally {
        await liftUpdate();
      }
      assert.equal(await count('schedule', "name = 'rollback-sched'"), 1, 'the old name stays');
      const liftDelete = await failing('audit', "NEW.action = 'schedule.delete'");
      try {
        assertInjected(await call('DELETE', `/api/schedules/${id}/`));
      } finally {
        await liftDelete();
      }
      assert.equal(await count('schedule', "name = 'rollback-sched'"), 1, 'still there');
    });
  });
}
