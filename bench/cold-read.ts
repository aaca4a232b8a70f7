import type { Database } from '../src/db/connection.js';
import { GraphStore } from '../src/org/graph-store.js';
import { summarizeOrg } from '../src/org/read-history.js';
import { findTenantBySlug } from '../src/tenancy/tenants.js';
import { matrixPage } from '../src/web/live/matrix-rows.js';
import { EVERYONE, formatCount, formatHeap, formatMs, formatRss, measure, ownerContext, type Measured, type Row } from './support.js';

/**
 * The first reads of an organisation a running server pays for: right after start-up (a fresh process: the database
 * client, the code and the graph all cold — what the boot warm-up takes off the first visitor) and after a change to
 * Live (a warm process whose cached graph is of an older Live version: the graph is loaded again). Each read is
 * what its page or tool asks for: the org summary (MCP `org_summary`: the graph, its metrics, the top levels) and
 * the first page of the People list (`/live/matrix`). The organisation is the one the size run seeded.
 */

export const COLD_WORKLOADS = ['cold'] as const;

/** Which read comes first in the fresh process: the runner starts one process for each. */
export type FirstRead = 'summary' | 'people';

const PEOPLE_PAGE = 50;


export async function runColdRead(database: Database, run: { label: string; size: number; first: FirstRead }, report: (row: Row) => void): Promise<void> {
  const row = (workload: string, m: Measured<unknown>, notes: string): void =>
    report({ database: run.label, workload, size: formatCount(run.size), time: formatMs(m.ms), rssPeak: formatRss(m.memory), heapPeak: formatHeap(m.memory), notes });
  const tenant = await findTenantBySlug(database.db, `bench-${run.size}`);
  if (!tenant) throw new Error(`no benchmark tenant for ${run.size} actors`);
  // A fresh graph cache each time: the graph is loaded from the database, its metrics and indexes computed.
  const reads: Record<FirstRead, { name: string; read: () => Promise<unknown> }> = {
    summary: { name: 'org summary', read: () => summarizeOrg(ownerContext(database, tenant)) },
    people: { name: `People page (first ${PEOPLE_PAGE})`, read: () => matrixPage(ownerContext(database, tenant), EVERYONE, { limit: PEOPLE_PAGE, cursor: null }) },
  };
  const first = reads[run.first];
  row(`${first.name}, first after start`, await measure(first.read), 'fresh process: database client, code and graph cold');
  if (run.first !== 'summary') return;
  // After a change to Live the process is warm and the new version's graph is not cached.
  const loaded = await measure(() => new GraphStore(database.db).live(tenant.id));
  row('Live graph, after a Live change', loaded, 'the graph alone, loaded from the database');
  for (const read of Object.values(reads)) row(`${read.name}, after a Live change`, await measure(read.read), 'graph loaded, metrics computed');
}
