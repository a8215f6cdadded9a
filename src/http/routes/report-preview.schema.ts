import { z } from 'zod';

/** `report` is checked by the report schema itself (the same one every save uses). */
export const previewBody = z.object({
  report: z.unknown().meta({ type: 'object', description: 'The report as a save takes it' }),
  params: z.record(z.string(), z.unknown()).default({}),
});

/** Rows a preview answers with; the rest is cut off with a message. */
export const PREVIEW_ROW_LIMIT = 1000;
