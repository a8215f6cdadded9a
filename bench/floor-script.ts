import { pathToFileURL } from 'node:url';

interface Floor {
  url: string;
  close(): Promise<void>;
}

/**
 * Runs a floor server as a script (`node --import tsx bench/<floor>.ts <db-file> [port]`) when
 * `moduleUrl` is the script started, so the benchmark loads it from its own process, as it does
 * the real server: load generator and server must not share one event loop. Prints the URL as
 * one JSON line once listening; SIGTERM or SIGINT stops it.
 */
export function serveWhenRunAsScript(
  moduleUrl: string,
  start: (dbFile: string, port: number) => Promise<Floor>,
): void {
  if (!process.argv[1] || moduleUrl !== pathToFileURL(process.argv[1]).href) return;
  const [dbFile, port = '0'] = process.argv.slice(2);
  const run = async () => {
    if (!dbFile) throw new Error(`usage: ${process.argv[1]} <db-file> [port]`);
    const server = await start(dbFile, Number(port));
    process.stdout.write(`${JSON.stringify({ url: server.url })}\n`);
    const stop = () => void server.close().finally(() => process.exit(0));
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  };
  run().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
