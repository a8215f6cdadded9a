/**
 * Whether a suite may run. Locally a missing service skips the suite with a notice; under
 * `CI=true` it fails instead, so a broken CI machine cannot pass by skipping everything.
 */
export function serviceAvailable(available: boolean, what: string): boolean {
  if (available) return true;
  if (process.env.CI === 'true') throw new Error(`${what} is required under CI=true but is not available`);
  console.log(`SKIP: ${what} is not available`);
  return false;
}
