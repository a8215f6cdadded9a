/**
 * One HTTP request on a fresh connection (no keep-alive), so a load balancer places every
 * request anew, optionally from a chosen loopback source address (127.0.0.2, …) to stand for
 * another client.
 */
import http from 'node:http';

export interface CallOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: unknown;
  localAddress?: string;
}

export interface CallResult {
  status: number;
  headers: http.IncomingHttpHeaders;
  // biome-ignore lint/suspicious/noExplicitAny: test helper; callers read the fields they expect.
  json: any;
}

export function call(baseUrl: string, pathname: string, options: CallOptions = {}): Promise<CallResult> {
  const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
  const headers: Record<string, string> = { ...options.headers };
  if (payload !== undefined) headers['content-type'] = 'application/json';
  return new Promise((resolve, reject) => {
    const request = http.request(
      new URL(pathname, baseUrl),
      {
        method: options.method ?? 'GET',
        headers,
        agent: false,
        localAddress: options.localAddress,
        timeout: 30_000,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown = null;
          try {
            json = text ? JSON.parse(text) : null;
          } catch {
            json = { text };
          }
          resolve({ status: response.statusCode ?? 0, headers: response.headers, json });
        });
        response.on('error', reject);
      },
    );
    request.on('timeout', () => request.destroy(new Error(`no answer from ${baseUrl}${pathname}`)));
    request.on('error', reject);
    request.end(payload);
  });
}
