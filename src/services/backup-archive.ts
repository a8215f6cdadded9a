/**
 * The backup container: a gzip-compressed POSIX tar of regular files (tar-stream), so an
 * operator can look inside with `tar tzf backup.tar.gz` without this program.
 */
import { buffer } from 'node:stream/consumers';
import { gunzipSync, gzipSync } from 'node:zlib';
import { extract, pack } from 'tar-stream';
import { badRequest } from '../errors.ts';

export interface ArchiveEntry {
  name: string;
  bytes: Buffer;
}

export async function packArchive(entries: ArchiveEntry[], mtime = new Date()): Promise<Buffer> {
  const archive = pack();
  for (const entry of entries) {
    archive.entry({ name: entry.name, size: entry.bytes.length, mode: 0o600, mtime }, entry.bytes);
  }
  archive.finalize();
  return gzipSync(await buffer(archive));
}

/** The archive's regular files; throws bad_request when the bytes are not such an archive. */
export async function unpackArchive(compressed: Buffer): Promise<ArchiveEntry[]> {
  let tar: Buffer;
  try {
    tar = gunzipSync(compressed);
  } catch {
    throw badRequest('The file is not a gzip-compressed backup');
  }
  const extractor = extract();
  const entries: ArchiveEntry[] = [];
  const reading = (async () => {
    for await (const entry of extractor) {
      const bytes = await buffer(entry);
      if (entry.header.type === 'file') entries.push({ name: entry.header.name, bytes });
    }
  })();
  extractor.end(tar);
  try {
    await reading;
  } catch (error) {
    throw badRequest(`The file is not a tar backup (${(error as Error).message})`);
  }
  return entries;
}
