/**
 * Driver names come from one place, the registry: the SQL dialect table has exactly one row per
 * registered driver, each module is registered under its own name, and the connection API
 * refuses a driver that is not registered, naming the ones that are.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { driverNames, drivers, loadDriver } from '../../src/datasources/registry.ts';
import { dialects } from '../../src/sql/dialects.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';

describe('driver names', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(() => t.close());

  test('the dialect table has one row per registered driver and no other', () => {
    assert.deepEqual(Object.keys(dialects).sort(), [...driverNames].sort());
    for (const name of driverNames) {
      assert.equal(
        drivers[name].name,
        name,
        `the module registered as ${name} calls itself ${drivers[name].name}`,
      );
      assert.ok(Object.hasOwn(dialects, drivers[name].dialect), `${name} has no dialect row`);
    }
  });

  test('each loaded driver module is the one its registry entry describes', async () => {
    for (const name of driverNames) {
      const module = await loadDriver(name);
      assert.equal(module.name, name);
      assert.equal(module.dialect, drivers[name].dialect, `${name}: dialect`);
      assert.equal(module.configSchema, drivers[name].configSchema, `${name}: the same settings schema`);
      assert.equal(module.fields, drivers[name].fields, `${name}: the same form fields`);
      assert.equal(await loadDriver(name), module, `${name} is imported once`);
    }
  });

  test('a connection with an unregistered driver is refused, naming the registered ones', async () => {
    const response = await t.app.server.inject({
      method: 'POST',
      url: '/api/admin/connections/',
      headers: { authorization: t.adminHeader },
      payload: { name: 'legacy', driver: 'oracle', settings: {} },
    });
    assert.equal(response.statusCode, 400, response.body);
    const { message } = response.json();
    assert.match(message, /driver/);
    for (const name of driverNames) assert.match(message, new RegExp(`"${name}"`), message);
    const list = await t.app.server.inject({
      url: '/api/admin/connections/',
      headers: { authorization: t.adminHeader },
    });
    assert.ok(!list.json().records.some((row: { name: string }) => row.name === 'legacy'));
  });
});
