/**
 * The body of an API-target delivery (SPEC §3), built from a run's row stream. The signature
 * header has to be sent before the body, so the `{message, ok, records}` envelope is spooled to
 * a temporary file while the rows stream, with its HMAC computed on the way; every attempt then
 * streams that file. Memory holds one batch at a time, whatever the row count.
 */
import { createHmac, type Hmac } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { recordMaker } from './result-records.ts';
import { drained, type TableSink } from './table-export.ts';

/** A request body that can be sent more than once: each attempt opens it afresh. */
export interface SignedBody {
  bytes: number;
  open(): Readable;
  /** `sha256=<hex>` of the body under the target's secret; null without a secret. */
  signature: string | null;
}

/** The error a delivery records when the result is larger than the cap. */
export function overCapMessage(maxRows: number): string {
  return (
    `The result has more than ${maxRows.toLocaleString('en')} rows, the most an API target body ` +
    'may hold (API_TARGET_MAX_ROWS); nothing was sent. Narrow the report with parameters or raise the cap.'
  );
}

export interface ApiBodySpool {
  /** Feed it with exportRun together with the other deliveries' sinks. */
  sink: TableSink;
  /** True once more than `maxRows` rows arrived; nothing past the cap is written. */
  overCap(): boolean;
  /** The finished body; call after the sink has ended. */
  body(): SignedBody;
  /** Removes the temporary file. */
  dispose(): Promise<void>;
}

/**
 * Opens a spool for one run's envelope. A table report's records are row objects; a panel
 * report's are `{title, records}` per section, as the JSON API answers them.
 */
export async function spoolApiBody(options: {
  kind: 'table' | 'sections';
  secret: string | null;
  maxRows: number;
}): Promise<ApiBodySpool> {
  const dir = await mkdtemp(path.join(tmpdir(), 'secure-reporter-api-'));
  const file = path.join(dir, 'body.json');
  const out = createWriteStream(file);
  const hmac: Hmac | null = options.secret ? createHmac('sha256', options.secret) : null;
  const sections = options.kind === 'sections';
  let bytes = 0;
  let rows = 0;
  let tables = 0;
  let toRecord = recordMaker([]);
  let first = true;
  let signature: string | null = null;
  const write = (text: string) => {
    const chunk = Buffer.from(text, 'utf8');
    bytes += chunk.length;
    hmac?.update(chunk);
    out.write(chunk);
  };
  write('{"message":"","ok":true,"records":[');
  const sink: TableSink = {
    table(title, tableColumns) {
      toRecord = recordMaker(tableColumns);
      if (!sections) return;
      write(`${tables > 0 ? ']},' : ''}{"title":${JSON.stringify(title)},"records":[`);
      tables++;
      first = true;
    },
    async rows(batch) {
      rows += batch.length;
      if (rows > options.maxRows || batch.length === 0) return;
      const text = batch.map((row) => JSON.stringify(toRecord(row))).join(',');
      write(first ? text : `,${text}`);
      first = false;
      await drained(out);
    },
    async end() {
      write(sections && tables > 0 ? ']}]}' : ']}');
      out.end();
      await new Promise<void>((resolve, reject) => {
        out.once('finish', resolve);
        out.once('error', reject);
      });
      signature = hmac ? `sha256=${hmac.digest('hex')}` : null;
    },
  };
  return {
    sink,
    overCap: () => rows > options.maxRows,
    body: () => ({ bytes, open: () => createReadStream(file), signature }),
    async dispose() {
      out.destroy();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
