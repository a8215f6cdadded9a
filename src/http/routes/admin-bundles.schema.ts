import { z } from 'zod';
import type { ImportSummary } from '../../services/bundles.ts';
import { exactly } from '../envelope.ts';

export const exportQuery = z.object({ format: z.enum(['yaml', 'json']).default('json') });

/** A bundle as YAML text (or JSON text sent as text) or as a JSON object; parsed by the service. */
export const importBundleBody = z
  .union([
    z.string().describe('The bundle as YAML'),
    z.record(z.string(), z.unknown()).describe('The bundle as JSON: connections, clusters, reports…'),
  ])
  // No body imports an empty bundle, as it always has.
  .optional();

/** How many entries of each kind an import created or replaced. */
export const importSummaryRecord = exactly<ImportSummary>()(
  z.object({
    connections: z.number(),
    clusters: z.number(),
    reports: z.number(),
    group_lists: z.number(),
    access_groups: z.number(),
  }),
);
