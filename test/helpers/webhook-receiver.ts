/** A real HTTP receiver on 127.0.0.1 for API-target deliveries: records requests, answers a script. */
import { createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  at: number;
  headers: http.IncomingHttpHeaders;
  /** Empty when the receiver counts only (`countOnly`); see `bytes` and `tail`. */
  body: string;
  bytes: number;
  /** The last 256 bytes of the body. */
  tail: string;
  /** With `countOnly`: whether the signature header matched the body under its secret. */
  signed?: boolean;
}

export interface ReceiverOptions {
  /** Keep no body, only its size, tail and signature check, so huge bodies cost no memory. */
  countOnly?: { secret: string };
}

export interface WebhookReceiver {
  url: string;
  received: Received[];
  /** Statuses to answer in order; 200 once the script runs out. */
  script: number[];
  close(): Promise<void>;
}

export async function startReceiver(options: ReceiverOptions = {}): Promise<WebhookReceiver> {
  const received: Received[] = [];
  const state = { script: [] as number[] };
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    const hmac = options.countOnly ? createHmac('sha256', options.countOnly.secret) : null;
    let bytes = 0;
    let tail = Buffer.alloc(0);
    request.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      tail = Buffer.concat([tail, chunk]).subarray(-256);
      if (hmac) hmac.update(chunk);
      else chunks.push(chunk);
    });
    request.on('end', () => {
      const header = request.headers['x-secure-reporter-signature'];
      received.push({
        at: Date.now(),
        headers: request.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        bytes,
        tail: tail.toString('utf8'),
        ...(hmac ? { signed: header === `sha256=${hmac.digest('hex')}` } : {}),
      });
      response.statusCode = state.script.shift() ?? 200;
      response.end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    received,
    get script() {
      return state.script;
    },
    set script(value) {
      state.script = value;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** What a receiver does: recompute the HMAC of the raw body and compare in constant time. */
export function signatureMatches(body: string, header: string | string[] | undefined, secret: string) {
  if (typeof header !== 'string' || !header.startsWith('sha256=')) return false;
  const expected = Buffer.from(createHmac('sha256', secret).update(body).digest('hex'));
  const sent = Buffer.from(header.slice('sha256='.length));
  return sent.length === expected.length && timingSafeEqual(sent, expected);
}
