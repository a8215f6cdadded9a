import autocannon from 'autocannon';

export interface MeasureOptions {
  url: string;
  headers?: Record<string, string>;
  connections: number;
  durationSeconds: number;
  /** Uncounted seconds of load before the measured window; 1 unless told. */
  warmUpSeconds?: number;
}

export interface Measurement {
  /** Responses (any status) per second over the measured window. */
  requestsPerSecond: number;
  /** Latency percentiles of 2xx responses, in milliseconds with sub-millisecond precision. */
  p50Ms: number;
  p99Ms: number;
  /** Connection errors and timeouts. */
  errors: number;
  non2xx: number;
}

function run(
  opts: MeasureOptions,
  durationSeconds: number,
  onLatency?: (ms: number) => void,
): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: opts.url,
        headers: opts.headers ?? {},
        connections: opts.connections,
        duration: durationSeconds,
        // Bounded even when the server hangs: a stuck request counts as an error, not a stall.
        timeout: 10,
      },
      (error: unknown, result: autocannon.Result) => (error ? reject(error) : resolve(result)),
    );
    if (onLatency) {
      instance.on('response', (_client, statusCode, _bytes, responseTime) => {
        if (statusCode >= 200 && statusCode < 300) onLatency(responseTime);
      });
    }
  });
}

function percentile(sorted: Float64Array, fraction: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1);
  return sorted[Math.max(0, index)]!;
}

/**
 * Loads `url` for `durationSeconds` after an uncounted warm-up (none when `warmUpSeconds` is 0). Percentiles are taken
 * from every response's own timing rather than autocannon's histogram, which rounds to whole
 * milliseconds — too coarse for a sub-millisecond overhead target.
 */
export async function measure(opts: MeasureOptions): Promise<Measurement> {
  const warmUp = opts.warmUpSeconds ?? 1;
  if (warmUp > 0) await run(opts, warmUp);
  const latencies: number[] = [];
  const result = await run(opts, opts.durationSeconds, (ms) => latencies.push(ms));
  const sorted = Float64Array.from(latencies).sort();
  const responses = result['1xx'] + result['2xx'] + result['3xx'] + result['4xx'] + result['5xx'];
  return {
    requestsPerSecond: responses / result.duration,
    p50Ms: percentile(sorted, 0.5),
    p99Ms: percentile(sorted, 0.99),
    errors: result.errors,
    non2xx: result.non2xx,
  };
}
