import type { Context } from 'hono';
import { AppError, InvalidInput } from '../../errors.js';
import type { AppEnv } from '../../http/env.js';
import { bytesOf, MAX_UPLOAD_BYTES, tooLarge } from '../../imports/csv/reader.js';
import type { createRunFromUpload } from '../../imports/upload.js';

/** The file and its options from a multipart form or a text/csv body (streamed; a multipart body is capped first). */
export async function uploadInput(c: Context<AppEnv>): Promise<Parameters<typeof createRunFromUpload>[1]> {
  const type = (c.req.header('content-type') ?? '').toLowerCase();
  const declared = Number(c.req.header('content-length') ?? '') || null;
  const query = c.req.query();
  const options = (get: (name: string) => string | undefined) => {
    const scenario = get('target_scenario_id')?.trim();
    const create = get('create_missing_types');
    const format = get('format');
    if (create !== undefined && create !== 'true' && create !== 'false') throw new InvalidInput('create_missing_types', 'must be true or false');
    if (format !== undefined && format !== 'orgonaut' && format !== 'bamboohr') throw new InvalidInput('format', 'must be orgonaut or bamboohr');
    return {
      target: scenario ? { kind: 'scenario' as const, scenario_id: scenario } : null,
      options: { create_missing_types: create === 'true', format: format as 'orgonaut' | 'bamboohr' | undefined },
    };
  };
  if (type.startsWith('multipart/form-data')) {
    const limit = MAX_UPLOAD_BYTES + 64 * 1024;
    if (declared && declared > limit) throw tooLarge(declared, MAX_UPLOAD_BYTES);
    const buffer = await readCapped(c.req.raw.body, limit);
    let form: FormData;
    try {
      form = await new Response(new Uint8Array(buffer) as Uint8Array<ArrayBuffer>, { headers: { 'content-type': c.req.header('content-type')! } }).formData();
    } catch {
      throw new InvalidInput('body', 'is not a readable multipart/form-data body');
    }
    const file = form.get('file');
    if (!file || typeof file === 'string') throw new InvalidInput('file', 'attach the CSV file as the form field "file"');
    const field = (name: string) => {
      const value = form.get(name);
      return typeof value === 'string' ? value : query[name];
    };
    return { body: file.stream(), fileName: file.name, contentLength: file.size, ...options(field) };
  }
  if (type.startsWith('text/csv') || type.startsWith('text/plain') || type.startsWith('application/octet-stream')) {
    return { body: c.req.raw.body ?? new Uint8Array(), fileName: query.file_name ?? null, contentLength: declared, ...options((name) => query[name]) };
  }
  throw new AppError('unsupported_media_type', 415, 'Upload the file as multipart/form-data (field "file") or as a text/csv body.');
}

async function readCapped(body: ReadableStream<Uint8Array> | null, limit: number): Promise<Buffer> {
  if (!body) return Buffer.alloc(0);
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of bytesOf(body)) {
    size += chunk.length;
    if (size > limit) throw tooLarge(null, MAX_UPLOAD_BYTES);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}
