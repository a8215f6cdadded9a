/**
 * What a suite does when something it needs (a database server, chromium, python3-requests) is
 * missing. On a laptop it prints `SKIP: …` and the caller skips the suite: said, never faked.
 * Under CI=true it throws, so the test file fails: CI provides everything, and a skip there
 * would report green for tests that never ran.
 */
export function unavailable(what: string): string {
  if (process.env.CI === 'true' || process.env.CI === '1') {
    throw new Error(`${what}, and CI=true: CI must provide it (see .ci/run)`);
  }
  console.log(`SKIP: ${what}`);
  return what;
}

/** `available`, and when it is false the notice (or, under CI, the throw) of `unavailable`. */
export function required(available: boolean, what: string): boolean {
  if (!available) unavailable(`${what} is not available`);
  return available;
}
