/**
 * Where the integration suites find real database servers. A suite whose server does not answer
 * is skipped with a printed notice; it is never replaced by a fake.
 */
export const postgresUrl = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const mysqlUrl = process.env.TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test';
