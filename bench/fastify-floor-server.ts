import type { AddressInfo } from 'node:net';
import Database from 'better-sqlite3';
import Fastify from 'fastify';
import { FIFTY_ROWS_SQL, ONE_ROW_SQL } from './bench-data.ts';
import { serveWhenRunAsScript } from './floor-script.ts';

/**
 * The floor the goals of SPEC §12 are set against: a bare Fastify server (no logger, no plugins,
 * no auth) running the report's statement with the same driver and answering in the same
 * `{message, ok, records}` envelope as `/api/call`. Routes: `/item?id=` and `/items?grp=`.
 */
export async function startFastifyFloor(dbFile: string, port: number) {
  const db = new Database(dbFile, { readonly: true, fileMustExist: true });
  const statements = { '/item': db.prepare(ONE_ROW_SQL), '/items': db.prepare(FIFTY_ROWS_SQL) };
  const app = Fastify({ logger: false });
  app.addHook('onClose', async () => db.close());
  for (const [path, statement] of Object.entries(statements)) {
    app.get<{ Querystring: Record<string, string | undefined> }>(path, async (request, reply) => {
      const value = Number(request.query.id ?? request.query.grp);
      if (!Number.isSafeInteger(value)) {
        return reply.code(400).send({ message: 'id or grp must be an integer', ok: false, records: [] });
      }
      return { message: '', ok: true, records: statement.all(value) };
    });
  }
  await app.listen({ port, host: '127.0.0.1' });
  const { port: actualPort } = app.server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${actualPort}`, close: () => app.close() };
}

serveWhenRunAsScript(import.meta.url, startFastifyFloor);
