import { and, eq, sql } from 'drizzle-orm';
import { authorize } from '../access/policy.js';
import type { ServiceContext } from '../context.js';
import { importRuns } from '../db/schema/index.js';
import { InvalidInput } from '../errors.js';
import { bytesOf, FileRefused, MAX_UPLOAD_BYTES, readCsvFile, tooLarge } from './csv/reader.js';
import { detectFormat, detectMapping, type ImportFormat } from './fields.js';
import { presentRun, type RunOut } from './present.js';
import { mapManagerColumns } from './manager-columns.js';
import { insertRows, MAPPING_SAMPLE, updateRun } from './store.js';
import { presentRunWithSameFile } from './same-file.js';
import { resolveTarget, type TargetInput } from './target.js';

/**
 * Creating a run: from an uploaded file (streamed: parsed and stored in batches, never held whole), or from records an
 * HRIS sent. The run starts `pending` with the detected format and column mapping, ready for preview. A file that
 * cannot be read is refused and leaves nothing behind.
 */
export interface UploadInput {
  body: ReadableStream<Uint8Array> | AsyncIterable<Uint8Array> | Uint8Array | string;
  fileName?: string | null;
  /** Declared size (Content-Length), to refuse an oversized upload before reading it. */
  contentLength?: number | null;
  /** Default 10 MB (uploads); the benchmarks raise it. */
  maxBytes?: number;
  target?: TargetInput | null;
  options?: { create_missing_types?: boolean; format?: ImportFormat };
}

export async function createRunFromUpload(ctx: ServiceContext, input: UploadInput) {
  authorize(ctx.principal, 'imports.manage');
  const fileName = checkFileName(input.fileName);
  const target = await resolveTarget(ctx, input.target);
  const maxBytes = input.maxBytes ?? MAX_UPLOAD_BYTES;
  if (input.contentLength && input.contentLength > maxBytes) throw tooLarge(input.contentLength, maxBytes);
  const run = await insertRun(ctx, { fileName, targetKind: target.kind, targetScenarioId: target.scenario?.id ?? null, options: { create_missing_types: input.options?.create_missing_types === true } });
  try {
    let next = 0;
    // The first rows, for the columns only their values can map (“Reports To”: emails, ids or names).
    const sample: string[][] = [];
    const read = await readCsvFile(bytesOf(input.body), {
      maxBytes,
      onRows: (records) => {
        for (const r of records) if (sample.length < MAPPING_SAMPLE) sample.push(r.fields);
        return insertRows(ctx.db, ctx.tenant.id, run.id, records.map((r) => ({ rowNumber: ++next, line: r.line, values: r.fields })));
      },
    });
    const format = input.options?.format ?? detectFormat(read.headers);
    const done = await updateRun(ctx.db, ctx.tenant.id, run.id, {
      headers: read.headers,
      delimiter: read.delimiter,
      format,
      mapping: mapManagerColumns(detectMapping(read.headers, format), sample),
      rowCount: read.rows,
      fileBytes: read.bytes,
      fileSha256: read.sha256,
      uploadedAt: new Date(),
    });
    return await presentRunWithSameFile(ctx, done);
  } catch (error) {
    await ctx.db.delete(importRuns).where(and(eq(importRuns.tenantId, ctx.tenant.id), eq(importRuns.id, run.id)));
    throw error;
  }
}

/** A run from records an HRIS sent (webhook batches, sync now): one row per employee, cells by `headers`. */
export async function createRunFromRecords(
  ctx: ServiceContext,
  input: { source: 'hris_webhook' | 'hris_sync'; fileName: string; headers: string[]; rows: (string | null)[][]; target: TargetInput; format: ImportFormat },
): Promise<RunOut> {
  authorize(ctx.principal, 'imports.manage');
  const target = await resolveTarget(ctx, input.target);
  const run = await insertRun(ctx, { source: input.source, fileName: input.fileName, targetKind: target.kind, targetScenarioId: target.scenario?.id ?? null, options: { create_missing_types: true } });
  await insertRows(ctx.db, ctx.tenant.id, run.id, input.rows.map((values, i) => ({ rowNumber: i + 1, line: null, values })));
  const done = await updateRun(ctx.db, ctx.tenant.id, run.id, {
    headers: input.headers,
    format: input.format,
    mapping: detectMapping(input.headers, input.format),
    rowCount: input.rows.length,
    uploadedAt: new Date(),
  });
  // Named as the run list names it (the scenario was just read to check it).
  return presentRun(done, ctx.principal, target.scenario ? new Map([[target.scenario.id, target.scenario.name]]) : undefined);
}

function insertRun(ctx: ServiceContext, values: Partial<typeof importRuns.$inferInsert>) {
  return ctx.db
    .insert(importRuns)
    .values({ tenantId: ctx.tenant.id, createdBy: ctx.principal.userId, ...values })
    .returning()
    .then((rows) => rows[0]!);
}

function checkFileName(name: string | null | undefined): string | null {
  const trimmed = name?.trim().replace(/^.*[\\/]/, '') ?? '';
  if (!trimmed) return null;
  if (trimmed.length > 255) throw new InvalidInput('file_name', 'must be at most 255 characters');
  const extension = /\.([^.]+)$/.exec(trimmed)?.[1]?.toLowerCase();
  if (extension && !['csv', 'txt'].includes(extension)) {
    throw new FileRefused('unsupported_file_type', 422, 'This type of file cannot be imported; upload a .csv or .txt file.', 'Export the file as CSV (UTF-8), comma- or semicolon-separated, with a header row.', { extension: extension.slice(0, 10) });
  }
  return trimmed;
}

/** Uploads whose file never finished arriving (the process died mid-upload) are removed after an hour. */
export async function removeAbandonedUploads(db: ServiceContext['db']): Promise<number> {
  const rows = await db
    .delete(importRuns)
    .where(and(sql`${importRuns.uploadedAt} is null`, sql`${importRuns.createdAt} < now() - interval '1 hour'`))
    .returning({ id: importRuns.id });
  return rows.length;
}
