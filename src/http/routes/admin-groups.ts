/**
 * Group lists, their members and images, and access-group entries: admin only. Group images are
 * served to any authenticated caller with headers that keep a browser from treating them as
 * anything but an image.
 */
import type { FastifyInstance } from 'fastify';
import { AppError, badRequest } from '../../errors.ts';
import { GROUP_IMAGE_MAX_BYTES } from '../../services/group-lists.ts';
import { okEnvelope } from '../envelope.ts';
import { ADMIN, contextOf } from '../route-auth.ts';
import type { RouteDeps } from '../server.ts';
import {
  accessGroupParams,
  createAccessGroupBody,
  createGroupListBody,
  groupImageParams,
  groupListParams,
  memberBody,
  memberParams,
  updateGroupListBody,
} from './admin-groups.schema.ts';

export function adminGroupRoutes(server: FastifyInstance, { services }: RouteDeps) {
  server.get('/api/admin/group-lists/', ADMIN, async (request) => {
    return okEnvelope(await services.groupLists.list(contextOf(request)));
  });
  server.post('/api/admin/group-lists/', ADMIN, async (request, reply) => {
    const ctx = contextOf(request);
    const created = await services.groupLists.create(ctx, createGroupListBody.parse(request.body));
    return reply.code(201).send(okEnvelope([created]));
  });
  server.get('/api/admin/group-lists/:name/', ADMIN, async (request) => {
    const { name } = groupListParams.parse(request.params);
    return okEnvelope([await services.groupLists.get(contextOf(request), name)]);
  });
  server.put('/api/admin/group-lists/:name/', ADMIN, async (request) => {
    const ctx = contextOf(request);
    const { name } = groupListParams.parse(request.params);
    return okEnvelope([await services.groupLists.update(ctx, name, updateGroupListBody.parse(request.body))]);
  });
  server.delete('/api/admin/group-lists/:name/', ADMIN, async (request) => {
    const ctx = contextOf(request);
    await services.groupLists.delete(ctx, groupListParams.parse(request.params).name);
    return okEnvelope([]);
  });

  server.post('/api/admin/group-lists/:name/members/', ADMIN, async (request, reply) => {
    const ctx = contextOf(request);
    const { name } = groupListParams.parse(request.params);
    const { email } = memberBody.parse(request.body);
    return reply.code(201).send(okEnvelope([await services.groupLists.addMember(ctx, name, email)]));
  });
  server.delete('/api/admin/group-lists/:name/members/:email/', ADMIN, async (request) => {
    const ctx = contextOf(request);
    const { name, email } = memberParams.parse(request.params);
    return okEnvelope([await services.groupLists.removeMember(ctx, name, email)]);
  });

  server.put('/api/admin/group-lists/:name/image/', ADMIN, async (request) => {
    const ctx = contextOf(request);
    const { name } = groupListParams.parse(request.params);
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
    const saved = await services.groupLists.setImage(ctx, name, { bytes, filename: part.filename });
    return okEnvelope([saved]);
  });

  server.get('/api/group-images/:file', async (request, reply) => {
    const { file } = groupImageParams.parse(request.params);
    const image = await services.groupLists.image(contextOf(request), file);
    return reply
      .type(image.contentType)
      .header('x-content-type-options', 'nosniff')
      .header('content-security-policy', "default-src 'none'; sandbox")
      .header('content-disposition', 'inline')
      .header('cache-control', 'private, max-age=3600')
      .send(image.bytes);
  });

  server.get('/api/admin/access-groups/', ADMIN, async (request) => {
    return okEnvelope(await services.accessGroups.list(contextOf(request)));
  });
  server.post('/api/admin/access-groups/', ADMIN, async (request, reply) => {
    const ctx = contextOf(request);
    const saved = await services.accessGroups.save(ctx, createAccessGroupBody.parse(request.body));
    return reply.code(201).send(okEnvelope([saved]));
  });
  server.delete('/api/admin/access-groups/:id/', ADMIN, async (request) => {
    const ctx = contextOf(request);
    await services.accessGroups.delete(ctx, accessGroupParams.parse(request.params).id);
    return okEnvelope([]);
  });
}
