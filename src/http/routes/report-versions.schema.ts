import { z } from 'zod';
import { reportRef } from '../route-kit.ts';

export const versionListParams = z.object({ report: reportRef });
export const versionParams = versionListParams.extend({
  number: z.coerce.number().int().positive().describe('Version number'),
});
