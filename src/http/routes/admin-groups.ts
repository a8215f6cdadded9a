/**
 * Group lists, their members and images, and access-group entries: admin only. Group images are
 * served to any authenticated caller with headers that keep a browser from treating them as
 * anything but an image.
 */
import { AppError, badRequest } from '../../errors.ts';
import { GROUP_IMAGE_MAX_BYTES } from '../../services/group-lists.ts';
import { answers, createdAnswers, emptyRecord, okEnvelope } from '../envelope.ts';
import { contextOf } from '../route-auth.ts';
import type { ApiServer } from '../route-kit.ts';
import type { RouteDeps } from '../server.ts';
import {
  accessGroupParams,
  accessGroupRecord,
  createAccessGroupBody,
  createGroupListBody,
  groupImageBody,
  groupImageParams,
  groupListParams,
  groupListRecord,
  memberBody,
  memberParams,
  updateGroupListBody,
} from './admin-groups.schema.ts';

const tags = ['admin: groups'];
const config = { role: 'admin' } as const;
const list = '/api/admin/group-lists/:name/';

export function adminGroupRoutes(server: ApiServer, deps: RouteDeps) {
  const { groupLists } = deps.services;
  server.get(
    '/api/admin/group-lists/',
    { config, schema: { summary: 'List group lists', response: answers(groupListRecord), tags } },
    async (request) => okEnvelope(await groupLists.list(contextOf(request))),
  );
  server.post(
    '/api/admin/group-lists/',
    {
      config,
      schema: {
        summary: 'Create a group list',
        response: createdAnswers(groupListRecord),
        tags,
        body: createGroupListBody,
      },
    },
    async (request, reply) => {
      const created = await groupLists.create(contextOf(request), request.body);
      return reply.code(201).send(okEnvelope([created]));
    },
  );
  server.get(
    list,
    {
      config,
      schema: {
        summary: 'A group list with its members',
        response: answers(groupListRecord),
        tags,
        params: groupListParams,
      },
    },
    async (request) => okEnvelope([await groupLists.get(contextOf(request), request.params.name)]),
  );
  server.put(
    list,
    {
      config,
      schema: {
        summary: 'Change the description or image URL of a group list',
        response: answers(groupListRecord),
        tags,
        params: groupListParams,
        body: updateGroupListBody,
      },
    },
    async (request) =>
      okEnvelope([await groupLists.update(contextOf(request), request.params.name, request.body)]),
  );
  server.delete(
    list,
    {
      config,
      schema: {
        summary: 'Delete a group list',
        response: answers(emptyRecord),
        tags,
        params: groupListParams,
      },
    },
    async (request) => {
      await groupLists.delete(contextOf(request), request.params.name);
      return okEnvelope([]);
    },
  );
  memberRoutes(server, deps);
  imageRoutes(server, deps);
  accessGroupRoutes(server, deps);
}

function memberRoutes(server: ApiServer, { services: { groupLists } }: RouteDeps) {
  server.post(
    `${list}members/`,
    {
      config,
      schema: {
        summary: 'Add members (emails) to a group list',
        response: createdAnswers(groupListRecord),
        tags,
        params: groupListParams,
        body: memberBody,
      },
    },
    async (request, reply) => {
      const added = await groupLists.addMember(contextOf(request), request.params.name, request.body.email);
      return reply.code(201).send(okEnvelope([added]));
    },
  );
  server.delete(
    `${list}members/:email/`,
    {
      config,
      schema: {
        summary: 'Remove a member from a group list',
        response: answers(groupListRecord),
        tags,
        params: memberParams,
      },
    },
    async (request) => {
      const { name, email } = request.params;
      return okEnvelope([await groupLists.removeMember(contextOf(request), name, email)]);
    },
  );
}

function imageRoutes(server: ApiServer, { services: { groupLists } }: RouteDeps) {
  server.put(
    `${list}image/`,
    {
      config,
      schema: {
        summary: 'Upload the image of a group list',
        response: answers(groupListRecord),
        tags,
        params: groupListParams,
        consumes: ['multipart/form-data'],
        body: groupImageBody,
      },
    },
    async (request) => {
      const ctx = contextOf(request);
      if (!request.isMultipart())
        throw badRequest('Upload the image as multipart/form-data with one file field');
      const part = await request.file({
        limits: { fileSize: GROUP_IMAGE_MAX_BYTES, files: 1 },
        throwFileSizeLimit: false,
      });
      if (!part) throw badRequest('The upload holds no file');
      const bytes = await part.toBuffer();
      if (part.file.truncated)
        throw new AppError('too_large', `The image is larger than ${GROUP_IMAGE_MAX_BYTES / 1024} KiB`);
      const saved = await groupLists.setImage(ctx, request.params.name, { bytes, filename: part.filename });
      return okEnvelope([saved]);
    },
  );
  server.get(
    '/api/group-images/:file',
    { schema: { summary: 'An uploaded group image', tags: ['report API'], params: groupImageParams } },
    async (request, reply) => {
      const image = await groupLists.image(contextOf(request), request.params.file);
      return reply
        .type(image.contentType)
        .header('x-content-type-options', 'nosniff')
        .header('content-security-policy', "default-src 'none'; sandbox")
        .header('content-disposition', 'inline')
        .header('cache-control', 'private, max-age=3600')
        .send(image.bytes);
    },
  );
}

function accessGroupRoutes(server: ApiServer, { services: { accessGroups } }: RouteDeps) {
  server.get(
    '/api/admin/access-groups/',
    { config, schema: { summary: 'List access-group entries', response: answers(accessGroupRecord), tags } },
    async (request) => okEnvelope(await accessGroups.list(contextOf(request))),
  );
  server.post(
    '/api/admin/access-groups/',
    {
      config,
      schema: {
        summary: 'Add an access-group entry (table, group, SQL where fragment)',
        response: createdAnswers(accessGroupRecord),
        tags,
        body: createAccessGroupBody,
      },
    },
    async (request, reply) => {
      const saved = await accessGroups.save(contextOf(request), request.body);
      return reply.code(201).send(okEnvelope([saved]));
    },
  );
  server.delete(
    '/api/admin/access-groups/:id/',
    {
      config,
      schema: {
        summary: 'Delete an access-group entry',
        response: answers(emptyRecord),
        tags,
        params: accessGroupParams,
      },
    },
    async (request) => {
      await accessGroups.delete(contextOf(request), request.params.id);
      return okEnvelope([]);
    },
  );
}
