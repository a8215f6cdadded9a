import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Database from 'better-sqlite3';
import { FIFTY_ROWS_SQL, ONE_ROW_SQL } from './bench-data.ts';
import { serveWhenRunAsScript } from './floor-script.ts';

export interface BaselineServer {
  url: string;
  close(): Promise<void>;
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

/**
 * The second reference beside the Fastify floor: a bare `node:http` server with no framework,
 * auth, audit or validation beyond parsing the number, running the reports' statements and
 * answering in the same `{message, ok, records}` envelope as `/api/call`. Routes: `/item?id=`
 * and `/items?grp=`. Listens on 127.0.0.1 only; `port` 0 picks a free port.
 */
export async function startBaselineServer(dbFile: string, port: number): Promise<BaselineServer> {
  const db = new Database(dbFile, { readonly: true, fileMustExist: true });
  const routes: Record<string, [string, Database.Statement]> = {
    '/item': ['id', db.prepare(ONE_ROW_SQL)],
    '/items': ['grp', db.prepare(FIFTY_ROWS_SQL)],
  };
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const route = req.method === 'GET' ? routes[url.pathname] : undefined;
    if (!route) {
      reply(res, 404, { message: 'not found', ok: false, records: [] });
      return;
    }
    const value = Number(url.searchParams.get(route[0]));
    if (!Number.isSafeInteger(value)) {
      reply(res, 400, { message: `${route[0]} must be an integer`, ok: false, records: [] });
      return;
    }
    reply(res, 200, { message: '', ok: true, records: route[1].all(value) });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const { port: actualPort } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${actualPort}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => {
          db.close();
          if (error) reject(error);
          else resolve();
        });
      }),
  };
}

serveWhenRunAsScript(import.meta.url, startBaselineServer);
