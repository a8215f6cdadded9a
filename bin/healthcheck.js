#!/usr/bin/env node
// Container health probe: the slim Node image has no curl. Usage: node bin/healthcheck.js /healthz
// Exits 0 when the server on this host answers 200, 1 otherwise (Docker and compose read the code).
const path = process.argv[2] ?? '/healthz';
const port = process.env.PORT || '8080';
try {
  const response = await fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(4000) });
  process.exit(response.ok ? 0 : 1);
} catch {
  process.exit(1);
}
