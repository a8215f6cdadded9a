/** Which errors from the PostgreSQL metadata store count as "the store is unavailable". */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AppError } from '../../src/errors.ts';
import { connectionFault } from '../../src/store/store-faults.ts';

const withCode = (code: string, message = 'x') => Object.assign(new Error(message), { code });

test('network and server-state errors are connection faults, named by their code', () => {
  assert.equal(connectionFault(withCode('ECONNREFUSED')), 'ECONNREFUSED');
  assert.equal(connectionFault(withCode('ENOTFOUND')), 'ENOTFOUND');
  assert.equal(
    connectionFault(withCode('57P01', 'terminating connection due to administrator command')),
    '57P01',
  );
  assert.equal(connectionFault(withCode('57P03', 'the database system is starting up')), '57P03');
  assert.equal(connectionFault(withCode('08006')), '08006');
  // `localhost` resolves to two addresses; Node reports both refusals in one AggregateError.
  assert.equal(connectionFault(new AggregateError([withCode('ECONNREFUSED')], '')), 'ECONNREFUSED');
});

test("pg's code-less messages for dead and never-opened sockets are faults", () => {
  assert.equal(connectionFault(new Error('Connection terminated unexpectedly')), 'connection lost');
  assert.equal(
    connectionFault(new Error('Client has encountered a connection error and is not queryable')),
    'connection lost',
  );
  assert.equal(connectionFault(new Error('timeout exceeded when trying to connect')), 'timeout');
  assert.equal(connectionFault(new Error('Connection terminated due to connection timeout')), 'timeout');
});

test('errors of the SQL itself are not faults, so services still see them', () => {
  assert.equal(connectionFault(withCode('23505', 'duplicate key value violates unique constraint')), null);
  assert.equal(connectionFault(withCode('42P01', 'relation "x" does not exist')), null);
  assert.equal(connectionFault(withCode('57014', 'canceling statement due to statement timeout')), null);
  assert.equal(connectionFault(new Error('timeout in my own code')), null);
  assert.equal(connectionFault('a string'), null);
  assert.equal(connectionFault(new AppError('not_found', 'No such report')), null);
});

test('an already translated error keeps its reason', () => {
  const translated = new AppError('unavailable', 'The metadata store is unavailable', {
    cause: withCode('ECONNRESET'),
  });
  assert.equal(connectionFault(translated), 'ECONNRESET');
});
