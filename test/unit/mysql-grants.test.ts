/**
 * Reading MariaDB/MySQL `SHOW GRANTS` lines: anything beyond reading is named, at every level,
 * including column lists and routines; reading alone gives no finding.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { findingsOfGrants } from '../../src/datasources/mysql/privileges.ts';

test('a read-only user has no findings', () => {
  const lines = [
    "GRANT USAGE ON *.* TO `reader`@`%` IDENTIFIED BY PASSWORD '*A1B2'",
    'GRANT SELECT, SHOW VIEW ON `test`.* TO `reader`@`%`',
    'GRANT SELECT (`a`, `b`) ON `test`.`t` TO `reader`@`%`',
    'GRANT `report_role` TO `reader`@`%`',
  ];
  assert.deepEqual(findingsOfGrants(lines), []);
});

test('file, super, dynamic, write, routine and proxy grants and the grant option are named', () => {
  const lines = [
    'GRANT FILE ON *.* TO `u`@`%`',
    'GRANT ALL PRIVILEGES ON *.* TO `root`@`localhost` WITH GRANT OPTION',
    'GRANT BINLOG_ADMIN,CONNECTION_ADMIN ON *.* TO `u`@`%`',
    'GRANT SELECT, INSERT, UPDATE ON `test`.* TO `u`@`%`',
    'GRANT SELECT (`a`), UPDATE (`b`, `c,d`) ON `test`.`t` TO `u`@`%`',
    'GRANT EXECUTE, ALTER ROUTINE ON PROCEDURE `test`.`p` TO `u`@`%`',
    "GRANT PROXY ON ''@'%' TO 'root'@'localhost' WITH GRANT OPTION",
    'GRANT SELECT ON `test`.* TO `u`@`%` WITH GRANT OPTION',
  ];
  assert.deepEqual(findingsOfGrants(lines), [
    'a user with FILE on *.*',
    'a user with ALL PRIVILEGES, GRANT OPTION on *.*',
    'a user with BINLOG_ADMIN, CONNECTION_ADMIN on *.*',
    'a user with INSERT, UPDATE on `test`.*',
    'a user with UPDATE on `test`.`t`',
    'a user with EXECUTE, ALTER ROUTINE on `test`.`p`',
    "a user with PROXY, GRANT OPTION on ''@'%'",
    'a user with GRANT OPTION on `test`.*',
  ]);
});
