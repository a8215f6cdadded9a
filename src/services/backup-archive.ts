/**
 * The backup container: a gzip-compressed POSIX tar (ustar) of regular files, so an operator can
 * look inside with `tar tzf backup.tar.gz` without this program. Only what a backup needs is
 * written and read: regular files with names under 100 bytes, no links, no owners.
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import { badRequest } from '../errors.ts';

export interface ArchiveEntry {
  name: string;
  bytes: Buffer;
}

const BLOCK = 512;

function header(name: string, size: number, mtime: number): Buffer {
  const block = Buffer.alloc(BLOCK);
  const put = (text: string, offset: number, length: number) => block.write(text, offset, length, 'utf8');
  const octal = (value: number, length: number) => value.toString(8).padStart(length - 1, '0');
  if (Buffer.byteLength(name) >= 100) throw badRequest(`Archive entry name too long: ${name}`);
  put(name, 0, 100);
  put(octal(0o600, 8), 100, 8);
  put(octal(0, 8), 108, 8);
  put(octal(0, 8), 116, 8);
  put(octal(size, 12), 124, 12);
  put(octal(Math.floor(mtime / 1000), 12), 136, 12);
  put(' '.repeat(8), 148, 8); // the checksum is computed with its own field as spaces
  put('0', 156, 1);
  put('ustar\u000000', 257, 8);
  const checksum = block.reduce((sum, byte) => sum + byte, 0);
  put(`${octal(checksum, 7)}\u0000`, 148, 8);
  return block;
}

const padding = (size: number) => Buffer.alloc((BLOCK - (size % BLOCK)) % BLOCK);

export function packArchive(entries: ArchiveEntry[], mtime = Date.now()): Buffer {
  const parts = entries.flatMap((entry) => [
    header(entry.name, entry.bytes.length, mtime),
    entry.bytes,
    padding(entry.bytes.length),
  ]);
  return gzipSync(Buffer.concat([...parts, Buffer.alloc(BLOCK * 2)]));
}

/** The archive's regular files; throws bad_request when the bytes are not such an archive. */
export function unpackArchive(compressed: Buffer): ArchiveEntry[] {
  let tar: Buffer;
  try {
    tar = gunzipSync(compressed);
  } catch {
    throw badRequest('The file is not a gzip-compressed backup');
  }
  const entries: ArchiveEntry[] = [];
  for (let offset = 0; offset + BLOCK <= tar.length; ) {
    const block = tar.subarray(offset, offset + BLOCK);
    if (block.every((byte) => byte === 0)) break;
    if (block.toString('latin1', 257, 262) !== 'ustar') throw badRequest('The file is not a tar backup');
    const field = (start: number, length: number) =>
      block.toString('utf8', start, start + length).replace(/\0.*$/s, '');
    const size = Number.parseInt(field(124, 12).trim() || '0', 8);
    const type = field(156, 1);
    const start = offset + BLOCK;
    if (start + size > tar.length) throw badRequest('The backup is truncated');
    if (type === '0' || type === '')
      entries.push({ name: field(0, 100), bytes: tar.subarray(start, start + size) });
    offset = start + size + padding(size).length;
  }
  return entries;
}
