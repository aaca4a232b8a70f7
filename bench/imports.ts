import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Database } from '../src/db/connection.js';
import { departmentTypes, teamTypes, tenantCurrencies } from '../src/db/schema/index.js';
import { canonicalRows, toCsv } from '../src/imports/export.js';
import { startRun } from '../src/imports/runs.js';
import { createRunFromUpload } from '../src/imports/upload.js';
import { generateOrg } from '../src/org/generator/index.js';
import { DEPARTMENT_TYPES, TEAM_TYPES } from '../src/org/generator/functions.js';
import { createTenant } from '../src/tenancy/tenants.js';
import { formatCount, formatHeap, formatMs, formatRss, measure, ownerContext, type Measured, type Row } from './support.js';

/**
 * Imports into Live: a canonical CSV of N actors (written by a separate process, so the generator's organisation
 * never sits in the measured process), uploaded from disk (streamed: parsed and stored in batches), then run into an
 * empty enterprise tenant, then imported again (nothing changes: no new Live version). Rows per second and peak
 * memory of each step. The 10 MB upload limit of the REST API is lifted here (a 100k-row file is ~18 MB).
 */
export const IMPORT_WORKLOADS = ['imports'] as const;

const HERE = path.dirname(fileURLToPath(import.meta.url));

export async function runImports(database: Database, run: { label: string; size: number }, report: (row: Row) => void): Promise<void> {
  const file = path.join(os.tmpdir(), `orgonaut-bench-import-${process.pid}-${run.size}.csv`);
  execFileSync(process.execPath, ['--import', 'tsx', path.join(HERE, 'imports.ts'), '--write-csv', String(run.size), file], { stdio: 'inherit' });
  try {
    const bytes = fs.statSync(file).size;
    const tenant = await createTenant(database.db, { slug: `bench-imp-${run.size}-${process.pid}`, name: `Import ${formatCount(run.size)}`, plan: 'enterprise', reportingCurrency: 'EUR' });
    await database.db.insert(tenantCurrencies).values([{ tenantId: tenant.id, code: 'USD', rateToReporting: 0.92 }, { tenantId: tenant.id, code: 'GBP', rateToReporting: 1.17 }]);
    await database.db.insert(departmentTypes).values(Object.values(DEPARTMENT_TYPES).map((name) => ({ tenantId: tenant.id, name })));
    await database.db.insert(teamTypes).values(Object.values(TEAM_TYPES).map((name) => ({ tenantId: tenant.id, name })));
    const ctx = ownerContext(database, tenant);
    const row = (workload: string, m: Measured<unknown>, notes: string): void =>
      report({
        database: run.label,
        workload,
        size: formatCount(run.size),
        time: formatMs(m.ms),
        rssPeak: formatRss(m.memory),
        heapPeak: formatHeap(m.memory),
        notes: `${formatCount(Math.round((run.size / m.ms) * 1000))} rows/s; ${notes}`,
      });
    const upload = () => createRunFromUpload(ctx, { body: fs.createReadStream(file), fileName: path.basename(file), maxBytes: Number.MAX_SAFE_INTEGER });

    const uploaded = await measure(upload);
    row('import upload (parse + store rows)', uploaded, `${(bytes / 1024 / 1024).toFixed(1)} MB file`);
    const first = await measure(async () => (await startRun(ctx, uploaded.value.id)).done);
    const summary = first.value.summary as { rows: { imported: number; quarantined: number } };
    if (first.value.status !== 'completed') throw new Error(`bench import failed: ${first.value.error?.message}`);
    row('import run into Live', first, `${formatCount(summary.rows.imported)} imported, ${summary.rows.quarantined} quarantined, Live v${first.value.live_version_after}`);
    const again = await measure(async () => (await startRun(ctx, (await upload()).id)).done);
    row('import same file again (no-op)', again, `upload + run; Live v${again.value.live_version_after ?? first.value.live_version_after} (unchanged)`);
  } finally {
    fs.rmSync(file, { force: true });
  }
}

/** `tsx bench/imports.ts --write-csv <actors> <file>`: the file runImports measures. */
async function writeCsv(actors: number, file: string): Promise<void> {
  const org = generateOrg({ actors, seed: `bench-import-${actors}`, companyName: 'Bench Imports', reportingCurrency: 'EUR' });
  const rows = canonicalRows(
    org.graph,
    { departmentTypes: new Map(org.departmentTypes.map((t) => [t.id, t.name])), teamTypes: new Map(org.teamTypes.map((t) => [t.id, t.name])) },
    new Date().toISOString().slice(0, 10),
  );
  fs.writeFileSync(file, toCsv(rows));
}

if (process.argv[2] === '--write-csv') {
  writeCsv(Number(process.argv[3]), process.argv[4]!).then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
