/**
 * API target delivery (SPEC §3, §11): POSTs the `{message, ok, records}` envelope with the
 * owner's headers, an HMAC-SHA256 signature of the body and a timestamp, retrying with back-off.
 * Private, loopback, link-local and unspecified addresses are refused unless configuration allows
 * them; the check runs at save time and again inside the connection's own DNS lookup, so a name
 * that resolves elsewhere later (DNS rebinding) is refused at run time too.
 */
import { createHmac } from 'node:crypto';
import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import { Readable } from 'node:stream';
import { badRequest } from '../errors.ts';
import type { SignedBody } from './api-target-body.ts';

export const SIGNATURE_HEADER = 'X-Secure-Reporter-Signature';
export const TIMESTAMP_HEADER = 'X-Secure-Reporter-Timestamp';

const blocked = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  blocked.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['fec0::', 10],
  ['ff00::', 8],
] as const) {
  blocked.addSubnet(net, prefix, 'ipv6');
}

/** The IPv4 address inside an IPv4-mapped, IPv4-compatible or NAT64 IPv6 address, if any. */
function embeddedIpv4(address: string): string | null {
  const match = /^(?:::ffff:|::|64:ff9b::)(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (match?.[1]) return match[1];
  const hex = /^(?:::ffff:|64:ff9b::)([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(address);
  if (!hex?.[1] || !hex[2]) return null;
  const high = Number.parseInt(hex[1], 16);
  const low = Number.parseInt(hex[2], 16);
  return `${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`;
}

/** True for private, loopback, link-local, unspecified, multicast and reserved addresses. */
export function isPrivateAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return blocked.check(address, 'ipv4');
  if (family !== 6) return true;
  const inner = embeddedIpv4(address);
  if (inner) return blocked.check(inner, 'ipv4');
  return blocked.check(address, 'ipv6');
}

type Resolve = (host: string) => Promise<Array<{ address: string; family: number }>>;
const resolveAll: Resolve = (host) => dns.promises.lookup(host, { all: true, verbatim: true });

export class TargetRefused extends Error {}

/** Parses the URL and, unless private targets are allowed, checks every address the host has. */
export async function checkTarget(rawUrl: string, allowPrivate: boolean, resolve: Resolve = resolveAll) {
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    throw new TargetRefused(`"${rawUrl}" is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new TargetRefused('An API target URL must start with http:// or https://');
  }
  if (url.username || url.password) throw new TargetRefused('Put credentials in headers, not in the URL');
  if (allowPrivate) return url;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  let addresses: string[];
  try {
    addresses = isIP(host) ? [host] : (await resolve(host)).map((entry) => entry.address);
  } catch {
    throw new TargetRefused(`The host "${host}" does not resolve`);
  }
  const bad = addresses.find(isPrivateAddress);
  if (bad || addresses.length === 0) {
    throw new TargetRefused(
      `The host "${host}" resolves to a private, loopback or link-local address (${bad ?? 'none'}); ` +
        'set ALLOW_PRIVATE_TARGETS=true to allow such targets',
    );
  }
  return url;
}

/** Save-time form of checkTarget: a refusal is a 400 naming the problem. */
export async function validateTarget(rawUrl: string, allowPrivate: boolean): Promise<void> {
  try {
    await checkTarget(rawUrl, allowPrivate);
  } catch (error) {
    if (error instanceof TargetRefused) throw badRequest(`deliveries.api.url: ${error.message}`);
    throw error;
  }
}

/** A connection-time lookup that refuses private addresses, closing the DNS rebinding gap. */
const guardedLookup: LookupFunction = (hostname, options, callback) => {
  dns.lookup(hostname, { ...options, all: true }, (error, addresses) => {
    if (error) return callback(error, '', 4);
    const list = addresses as dns.LookupAddress[];
    const bad = list.find((entry) => isPrivateAddress(entry.address));
    if (bad) return callback(new TargetRefused(`"${hostname}" now resolves to ${bad.address}`), '', 4);
    if (options.all) return (callback as unknown as (e: null, a: dns.LookupAddress[]) => void)(null, list);
    const first = list[0];
    if (!first) return callback(new TargetRefused(`"${hostname}" has no address`), '', 4);
    callback(null, first.address, first.family);
  });
};

export interface ApiTarget {
  url: string;
  headers?: Record<string, string> | undefined;
  /** HMAC key, already opened from its sealed form. */
  secret?: string | null | undefined;
}

export interface DeliveryResult {
  ok: boolean;
  attempts: number;
  status: number | null;
  error: string | null;
}

export interface ApiTargetOptions {
  allowPrivate: boolean;
  /** Waits between attempts; attempts = delays + 1. */
  retryDelaysMs?: readonly number[];
  timeoutMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

const RESERVED_HEADERS = new Set(['content-type', 'content-length', 'host', 'transfer-encoding']);

function post(
  url: URL,
  body: SignedBody,
  headers: Record<string, string>,
  guard: boolean,
  timeoutMs: number,
) {
  return new Promise<number>((resolve, reject) => {
    const client = url.protocol === 'https:' ? https : http;
    const request = client.request(
      url,
      {
        method: 'POST',
        headers: { ...headers, 'content-length': String(body.bytes) },
        timeout: timeoutMs,
        ...(guard ? { lookup: guardedLookup } : {}),
      },
      (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode ?? 0));
        response.on('error', reject);
      },
    );
    request.on('timeout', () => request.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    request.on('error', reject);
    const source = body.open();
    source.on('error', (error) => request.destroy(error));
    source.pipe(request);
  });
}

/** A JSON body held in memory, for small envelopes. */
export function signedJson(value: unknown, secret: string | null | undefined): SignedBody {
  const bytes = Buffer.from(JSON.stringify(value), 'utf8');
  return {
    bytes: bytes.length,
    open: () => Readable.from([bytes]),
    signature: secret ? `sha256=${createHmac('sha256', secret).update(bytes).digest('hex')}` : null,
  };
}

const retryable = (status: number) => status >= 500 || status === 408 || status === 429;

export function apiTargetClient({
  allowPrivate,
  retryDelaysMs = [500, 1000, 2000],
  timeoutMs = 15_000,
  sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
}: ApiTargetOptions) {
  /** Posts `body` until the target takes it or the attempts run out; never throws. */
  async function deliverBody(target: Omit<ApiTarget, 'secret'>, body: SignedBody): Promise<DeliveryResult> {
    let url: URL;
    try {
      url = await checkTarget(target.url, allowPrivate);
    } catch (error) {
      return { ok: false, attempts: 0, status: null, error: (error as Error).message };
    }
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(target.headers ?? {})) {
      if (!RESERVED_HEADERS.has(name.toLowerCase())) headers[name] = value;
    }
    headers['content-type'] = 'application/json';
    headers['user-agent'] = 'secure-reporter';
    headers[TIMESTAMP_HEADER] = String(Math.floor(Date.now() / 1000));
    if (body.signature) headers[SIGNATURE_HEADER] = body.signature;
    let last: DeliveryResult = { ok: false, attempts: 0, status: null, error: null };
    for (let attempt = 1; attempt <= retryDelaysMs.length + 1; attempt++) {
      try {
        const status = await post(url, body, headers, !allowPrivate, timeoutMs);
        if (status >= 200 && status < 300) return { ok: true, attempts: attempt, status, error: null };
        last = { ok: false, attempts: attempt, status, error: `the target answered HTTP ${status}` };
        if (!retryable(status)) return last;
      } catch (error) {
        last = { ok: false, attempts: attempt, status: null, error: (error as Error).message };
        if (error instanceof TargetRefused) return last;
      }
      const wait = retryDelaysMs[attempt - 1];
      if (wait !== undefined) await sleep(wait);
    }
    return last;
  }

  return {
    deliverBody,
    /** Delivers a small envelope held in memory, signed with the target's secret. */
    deliver: (target: ApiTarget, envelope: unknown) =>
      deliverBody(target, signedJson(envelope, target.secret)),
  };
}

export type ApiTargetClient = ReturnType<typeof apiTargetClient>;
