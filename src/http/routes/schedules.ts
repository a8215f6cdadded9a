/**
 * Schedules: anyone who may run a report may schedule it. Owners see and change their own,
 * admins all; someone else's schedule answers 404 so its existence does not leak.
 */
import type { FastifyInstance } from 'fastify';
import { okEnvelope } from '../envelope.ts';
import { contextOf } from '../route-auth.ts';
import type { RouteDeps } from '../server.ts';
import { createScheduleBody, scheduleParams, updateScheduleBody } from './schedules.schema.ts';

const doc = (summary: string) => ({ schema: { summary, tags: ['schedules'] } });

export function scheduleRoutes(server: FastifyInstance, { services }: RouteDeps) {
  const { schedules } = services;

  server.get('/api/schedules/', doc('List your schedules (admins: all)'), async (request) => {
    return okEnvelope(await schedules.list(contextOf(request)));
  });
  server.post('/api/schedules/', doc('Create a schedule owned by the caller'), async (request, reply) => {
    const ctx = contextOf(request);
    const created = await schedules.create(ctx, createScheduleBody.parse(request.body));
    return reply.code(201).send(okEnvelope([created]));
  });
  server.get(
    '/api/schedules/:id/',
    doc('One schedule (the signing secret is never returned)'),
    async (request) => {
      const ctx = contextOf(request);
      return okEnvelope([await schedules.get(ctx, scheduleParams.parse(request.params).id)]);
    },
  );
  server.put(
    '/api/schedules/:id/',
    doc('Change a schedule; `active: true` resumes a paused one'),
    async (request) => {
      const ctx = contextOf(request);
      const { id } = scheduleParams.parse(request.params);
      return okEnvelope([await schedules.update(ctx, id, updateScheduleBody.parse(request.body))]);
    },
  );
  server.delete('/api/schedules/:id/', doc('Delete a schedule and its history'), async (request) => {
    const ctx = contextOf(request);
    await schedules.delete(ctx, scheduleParams.parse(request.params).id);
    return okEnvelope([]);
  });
  server.get('/api/schedules/:id/runs/', doc('Delivery history, newest first'), async (request) => {
    const ctx = contextOf(request);
    return okEnvelope(await schedules.runs(ctx, scheduleParams.parse(request.params).id));
  });
  server.post('/api/schedules/:id/run-now/', doc('Run the schedule now as its owner'), async (request) => {
    const ctx = contextOf(request);
    return okEnvelope([await schedules.runNow(ctx, scheduleParams.parse(request.params).id)]);
  });
}
