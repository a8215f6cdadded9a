import { z } from 'zod';
import type { PendingVersion, VersionDetail, VersionSummary } from '../../services/report-versions.ts';
import { exactly } from '../envelope.ts';
import { reportRef } from '../route-kit.ts';

export const versionListParams = z.object({ report: reportRef });
export const versionParams = versionListParams.extend({
  number: z.coerce.number().int().positive().describe('Version number'),
});

const versionSummary = {
  number: z.number(),
  state: z.enum(['draft', 'in_review', 'approved', 'live', 'superseded', 'rejected']),
  author: z.string(),
  created_at: z.string(),
  reviewed_by: z.string().nullable(),
  reviewed_at: z.string().nullable(),
};
export const versionSummaryRecord = exactly<VersionSummary>()(z.object(versionSummary));
/** A version with its definition (as a bundle holds it) and the diff from the one before. */
export const versionDetailRecord = exactly<VersionDetail>()(
  z.object({ ...versionSummary, definition: z.unknown(), diff: z.string() }),
);
export const pendingVersionRecord = exactly<PendingVersion>()(
  z.object({
    ...versionSummary,
    report: z.object({ id: z.number(), name: z.string(), slug: z.string() }),
    awaiting: z.enum(['approval', 'promotion']),
    can_approve: z.boolean(),
  }),
);
