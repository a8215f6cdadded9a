import { z } from 'zod';
import { reportInputSchema } from '../../services/report-model.ts';
import { invalidInput, reportRef } from '../route-kit.ts';

export const reportParams = z.object({ report: reportRef });
export const createReportBody = reportInputSchema;
/** A replacement keeps the report's name when the body leaves it out. */
export const replaceReportBody = z.object({
  ...reportInputSchema.shape,
  name: reportInputSchema.shape.name.optional(),
});
/** Body complaints read as the report service words them. */
export const invalidReport = invalidInput('Report field');
