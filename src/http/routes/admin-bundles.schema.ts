import { z } from 'zod';

export const exportQuery = z.object({ format: z.enum(['yaml', 'json']).default('json') });

/** A bundle as YAML text (or JSON text sent as text) or as a JSON object; parsed by the service. */
export const importBundleBody = z
  .union([
    z.string().describe('The bundle as YAML'),
    z.record(z.string(), z.unknown()).describe('The bundle as JSON: connections, clusters, reports…'),
  ])
  // No body imports an empty bundle, as it always has.
  .optional();
