import { z } from 'zod';
import { scheduleChangesSchema, scheduleInputSchema } from '../../services/schedule-input.ts';

export const scheduleParams = z.object({ id: z.coerce.number().int().positive().describe('Schedule id') });
export const createScheduleBody = scheduleInputSchema;
export const updateScheduleBody = scheduleChangesSchema;
