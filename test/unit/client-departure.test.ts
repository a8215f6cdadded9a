/**
 * The abort signal of a request, made only when read: it aborts when the client leaves before the
 * answer is complete, whether it was read before the client left or only after, and never for an
 * answer that was sent in full. A real Fastify server and real sockets.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import http from 'node:http';
import { after, before, test } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { departureOf } from '../../src/http/route-kit.ts';

let server: FastifyInstance;
let base = '';
/** Resolved by the routes with what they saw. */
const seen: Record<string, (aborted: boolean) => void> = {};
const sight = (name: string) => new Promise<boolean>((resolve) => (seen[name] = resolve));

before(async () => {
  server = Fastify();
  // Read at once, then the client leaves: the signal aborts.
  server.get('/early', async (_request, reply) => {
    const { signal } = departureOf(reply);
    await once(signal, 'abort');
    seen.early?.(signal.aborted);
    return 'unreachable';
  });
  // Read only after the client left: made already aborted.
  server.get('/late', async (_request, reply) => {
    const departure = departureOf(reply);
    await once(reply.raw, 'close');
    seen.late?.(departure.signal.aborted);
    return 'unreachable';
  });
  // A complete answer: the signal, read after it was sent, stays quiet.
  server.get('/complete', async (_request, reply) => {
    const departure = departureOf(reply);
    reply.raw.once('close', () => seen.complete?.(departure.signal.aborted));
    return 'done';
  });
  base = await server.listen({ port: 0, host: '127.0.0.1' });
});
after(() => server.close());

/** Sends a request and goes away before the answer. */
function leave(path: string) {
  const request = http.get(`${base}${path}`);
  request.on('error', () => {});
  setTimeout(() => request.destroy(), 50);
}

test('a signal read before the client leaves is aborted when it leaves', async () => {
  const aborted = sight('early');
  leave('/early');
  assert.equal(await aborted, true);
});

test('a signal first read after the client left is already aborted', async () => {
  const aborted = sight('late');
  leave('/late');
  assert.equal(await aborted, true);
});

test('a signal of an answer sent in full is never aborted', async () => {
  const aborted = sight('complete');
  const response = await fetch(`${base}/complete`);
  assert.equal(await response.text(), 'done');
  assert.equal(await aborted, false);
});
