/**
 * Schedules: anyone who may run a report may schedule it. Owners see and change their own,
 * admins all; someone else's schedule answers 404 so its existence does not leak.
 */
import { answers, createdAnswers, emptyRecord, okEnvelope } from '../envelope.ts';
import { contextOf } from '../route-auth.ts';
import type { ApiServer } from '../route-kit.ts';
import type { RouteDeps } from '../server.ts';
import {
  createScheduleBody,
  scheduleParams,
  scheduleRecord,
  scheduleRunRecord,
  updateScheduleBody,
} from './schedules.schema.ts';

const tags = ['schedules'];
const one = '/api/schedules/:id/';
const params = scheduleParams;

export function scheduleRoutes(server: ApiServer, { services }: RouteDeps) {
  const { schedules } = services;

  server.get(
    '/api/schedules/',
    { schema: { summary: 'List your schedules (admins: all)', response: answers(scheduleRecord), tags } },
    async (request) => okEnvelope(await schedules.list(contextOf(request))),
  );
  server.post(
    '/api/schedules/',
    {
      schema: {
        summary: 'Create a schedule owned by the caller',
        response: createdAnswers(scheduleRecord),
        tags,
        body: createScheduleBody,
      },
    },
    async (request, reply) => {
      const created = await schedules.create(contextOf(request), request.body);
      return reply.code(201).send(okEnvelope([created]));
    },
  );
  server.get(
    one,
    {
      schema: {
        summary: 'One schedule (the signing secret is never returned)',
        response: answers(scheduleRecord),
        tags,
        params,
      },
    },
    async (request) => okEnvelope([await schedules.get(contextOf(request), request.params.id)]),
  );
  server.put(
    one,
    {
      schema: {
        summary: 'Change a schedule; `active: true` resumes a paused one',
        response: answers(scheduleRecord),
        tags,
        params,
        body: updateScheduleBody,
      },
    },
    async (request) =>
      okEnvelope([await schedules.update(contextOf(request), request.params.id, request.body)]),
  );
  server.delete(
    one,
    {
      schema: { summary: 'Delete a schedule and its history', response: answers(emptyRecord), tags, params },
    },
    async (request) => {
      await schedules.delete(contextOf(request), request.params.id);
      return okEnvelope([]);
    },
  );
  server.get(
    `${one}runs/`,
    {
      schema: {
        summary: 'Delivery history, newest first',
        response: answers(scheduleRunRecord),
        tags,
        params,
      },
    },
    async (request) => okEnvelope(await schedules.runs(contextOf(request), request.params.id)),
  );
  server.post(
    `${one}run-now/`,
    {
      schema: {
        summary: 'Run the schedule now as its owner',
        response: answers(scheduleRunRecord),
        tags,
        params,
      },
    },
    async (request) => okEnvelope([await schedules.runNow(contextOf(request), request.params.id)]),
  );
}
