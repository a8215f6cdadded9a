/**
 * Schedules: anyone who may run a report may schedule it. Owners see and change their own,
 * admins all; someone else's schedule answers 404 so its existence does not leak.
 */
import type { FastifyInstance } from 'fastify';
import { okEnvelope } from '../envelope.ts';
import { principalOf } from '../route-auth.ts';
import type { RouteDeps } from '../server.ts';
import { createScheduleBody, scheduleParams, updateScheduleBody } from './schedules.schema.ts';

const doc = (summary: string) => ({ schema: { summary, tags: ['schedules'] } });

export function scheduleRoutes(server: FastifyInstance, { services }: RouteDeps) {
  const { schedules } = services;

  server.get('/api/schedules/', doc('List your schedules (admins: all)'), async (request) => {
    return okEnvelope(await schedules.list(principalOf(request)));
  });
  server.post('/api/schedules/', doc('Create a schedule owned by the caller'), async (request, reply) => {
    const principal = principalOf(request);
    const created = await schedules.create(createScheduleBody.parse(request.body), principal);
    return reply.code(201).send(okEnvelope([created]));
  });
  server.get(
    '/api/schedules/:id/',
    doc('One schedule (the signing secret is never returned)'),
    async (request) => {
      const principal = principalOf(request);
      return okEnvelope([await schedules.get(scheduleParams.parse(request.params).id, principal)]);
    },
  );
  server.put(
    '/api/schedules/:id/',
    doc('Change a schedule; `active: true` resumes a paused one'),
    async (request) => {
      const principal = principalOf(request);
      const { id } = scheduleParams.parse(request.params);
      return okEnvelope([await schedules.update(id, updateScheduleBody.parse(request.body), principal)]);
    },
  );
  server.delete('/api/schedules/:id/', doc('Delete a schedule and its history'), async (request) => {
    const principal = principalOf(request);
    await schedules.delete(scheduleParams.parse(request.params).id, principal);
    return okEnvelope([]);
  });
  server.get('/api/schedules/:id/runs/', doc('Delivery history, newest first'), async (request) => {
    const principal = principalOf(request);
    return okEnvelope(await schedules.runs(scheduleParams.parse(request.params).id, principal));
  });
  server.post('/api/schedules/:id/run-now/', doc('Run the schedule now as its owner'), async (request) => {
    const principal = principalOf(request);
    return okEnvelope([await schedules.runNow(scheduleParams.parse(request.params).id, principal)]);
  });
}
