/**
 * Report parameters come from the query string and from a form or JSON body — also on GET, as
 * Python's `requests.get(url, data=…)` sends a form body with a GET. Fastify does not read GET
 * bodies, so this reads one here, bounded in size.
 */
import type { FastifyRequest } from 'fastify';
import { AppError, badRequest } from '../errors.ts';
import type { RawParams } from '../services/parameters.ts';
import { parseJsonBody } from './json-body.ts';

const MAX_GET_BODY_BYTES = 1_048_576;

async function readRawBody(request: FastifyRequest): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request.raw) {
    size += (chunk as Buffer).length;
    if (size > MAX_GET_BODY_BYTES) throw new AppError('too_large', 'The request body is larger than 1 MiB');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function hasBody(request: FastifyRequest): boolean {
  const length = request.headers['content-length'];
  return (length !== undefined && length !== '0') || request.headers['transfer-encoding'] !== undefined;
}

function formToParams(text: string): RawParams {
  const params: RawParams = {};
  for (const [key, value] of new URLSearchParams(text)) {
    const previous = params[key];
    params[key] =
      previous === undefined ? value : Array.isArray(previous) ? [...previous, value] : [previous, value];
  }
  return params;
}

async function parseBody(request: FastifyRequest, text: string): Promise<RawParams> {
  if (text.trim() === '') return {};
  if (request.headers['content-type']?.includes('application/json')) {
    const parsed = await parseJsonBody(request, text);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw badRequest('The JSON body must be an object of parameter names to values');
    }
    return parsed as RawParams;
  }
  return formToParams(text);
}

/** Query string values, then body values (the body wins for a name given in both). */
export async function requestParams(request: FastifyRequest): Promise<RawParams> {
  const query = { ...(request.query as RawParams) };
  let body: RawParams = {};
  if (request.method === 'GET' || request.method === 'HEAD') {
    if (hasBody(request)) body = await parseBody(request, await readRawBody(request));
  } else if (request.body && typeof request.body === 'object' && !Array.isArray(request.body)) {
    body = request.body as RawParams;
  } else if (typeof request.body === 'string') {
    body = await parseBody(request, request.body);
  }
  return { ...query, ...body };
}
