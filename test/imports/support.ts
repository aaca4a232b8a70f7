import { and, count, eq } from 'drizzle-orm';
import type { ServiceContext } from '../../src/context.js';
import type { Database } from '../../src/db/connection.js';
import { currentLiveVersion } from '../../src/db/live-store.js';
import { departmentTypes, lineageEntries, scenarios, teamTypes, tenantCurrencies } from '../../src/db/schema/index.js';
import { canonicalRows, toCsv, type CanonicalRow } from '../../src/imports/export.js';
import { startRun } from '../../src/imports/runs.js';
import { createRunFromUpload } from '../../src/imports/upload.js';
import { detectMapping } from '../../src/imports/fields.js';
import type { ParseContext } from '../../src/imports/parse-row.js';
import { planImport, type ImportPlan } from '../../src/imports/plan/plan.js';
import type { OrgGraph } from '../../src/org/types.js';
import { generateOrg } from '../../src/org/generator/index.js';
import type { Plan } from '../../src/tenancy/plans.js';
import type { Tenant } from '../../src/tenancy/tenants.js';
import { buildTenant, contextFor, principalFor } from '../support/factories.js';

/** Tenants, files and helpers for the import tests. */

export const RATES: Record<string, number> = { EUR: 1, USD: 0.92, GBP: 1.17 };
export const DEPARTMENT_TYPE_NAMES = ['Product & Technology', 'Go-to-market', 'Customer', 'Operations', 'General & administrative', 'Executive'];
export const TEAM_TYPE_NAMES = ['Stream-aligned', 'Platform', 'Enabling', 'Complicated subsystem'];

/** An empty tenant with EUR reporting, USD and GBP rates, and the generator's department and team types. */
export async function importTenant(database: Database, options: { plan?: Plan; slug?: string } = {}): Promise<{ tenant: Tenant; owner: ServiceContext }> {
  const tenant = await buildTenant(database, { plan: options.plan ?? 'enterprise', slug: options.slug });
  await database.db.insert(tenantCurrencies).values(
    Object.entries(RATES)
      .filter(([code]) => code !== 'EUR')
      .map(([code, rate]) => ({ tenantId: tenant.id, code, rateToReporting: rate })),
  );
  await database.db.insert(departmentTypes).values(DEPARTMENT_TYPE_NAMES.map((name) => ({ tenantId: tenant.id, name })));
  await database.db.insert(teamTypes).values(TEAM_TYPE_NAMES.map((name) => ({ tenantId: tenant.id, name })));
  return { tenant, owner: contextFor(database, tenant, principalFor(tenant, 'owner')) };
}

/** A realistic export of `actors` actors from the generator, as canonical rows and CSV text. */
export function generatedExport(actors: number, seed = 'imports'): { rows: CanonicalRow[]; csv: string } {
  const org = generateOrg({ actors, seed, companyName: 'Globex Imports', reportingCurrency: 'EUR' });
  const rows = canonicalRows(
    org.graph,
    { departmentTypes: new Map(org.departmentTypes.map((t) => [t.id, t.name])), teamTypes: new Map(org.teamTypes.map((t) => [t.id, t.name])) },
    new Date().toISOString().slice(0, 10),
  );
  return { rows, csv: toCsv(rows) };
}

/** Uploads a file and runs the import to its end. */
export async function importFile(ctx: ServiceContext, csv: string | Uint8Array, options: Parameters<typeof createRunFromUpload>[1] extends infer T ? Partial<T> : never = {}) {
  const run = await createRunFromUpload(ctx, { body: csv, fileName: 'people.csv', ...options });
  const started = await startRun(ctx, run.id);
  return started.done;
}

/** What a test compares before and after: Live version, current actors, snapshots, lineage entries. */
export async function liveState(database: Database, tenantId: string) {
  const n = async (table: typeof scenarios | typeof lineageEntries) => Number((await database.db.select({ n: count() }).from(table).where(eq(table.tenantId, tenantId)))[0]!.n);
  const [actors] = await database.db.execute(`select count(*)::int as n from actors where tenant_id = '${tenantId}' and version_to is null` as never).then((r) => (r as unknown as { rows: { n: number }[] }).rows);
  const snapshots = Number((await database.db.select({ n: count() }).from(scenarios).where(and(eq(scenarios.tenantId, tenantId), eq(scenarios.kind, 'snapshot'))))[0]!.n);
  return { version: await currentLiveVersion(database.db, tenantId), actors: Number(actors!.n), snapshots, lineage: await n(lineageEntries) };
}

/** CSV text from a header and rows of cells (quoted where needed). */
export function csvOf(header: string[], rows: (string | number | null)[][], delimiter = ','): string {
  const cell = (v: string | number | null) => {
    const text = v === null ? '' : String(v);
    return /["\r\n]/.test(text) || text.includes(delimiter) ? `"${text.replaceAll('"', '""')}"` : text;
  };
  return [header, ...rows].map((r) => r.map(cell).join(delimiter)).join('\n') + '\n';
}

/** How rows of an Orgonaut-format file with `header` are read: EUR active, no types, as of 2026-11-29 unless told. */
export function parseContextFor(header: string[], overrides: Partial<ParseContext> = {}): ParseContext {
  return {
    mapping: detectMapping(header, 'orgonaut'),
    format: 'orgonaut',
    today: '2026-11-29',
    activeCurrencies: new Set(['EUR']),
    departmentTypes: new Set(),
    teamTypes: new Set(),
    createMissingTypes: false,
    headerCount: header.length,
    ...overrides,
  };
}

/**
 * Plans an Orgonaut-format file (header + rows) over `base` as of `today`, in memory, with no database:
 * `changes.target()` is the organisation after it.
 */
export function planRows(header: string[], rows: (string | null)[][], base: OrgGraph, today: string): Promise<ImportPlan> {
  const parse = parseContextFor(header, { today });
  return planImport({
    rows: async function* () {
      yield rows.map((values, i) => ({ rowNumber: i + 1, values }));
    },
    total: rows.length,
    parse,
    base,
    companyName: 'Test Co',
    types: { departmentTypes: new Map(), teamTypes: new Map(), createMissing: false, created: { departmentTypes: [], teamTypes: [] } },
  });
}

/** One person of Live as the HR-export tests compare them (`livePeople`). */
export interface LivePerson {
  name: string;
  title: string | null;
  /** The current manager's email. */
  manager: string | null;
  /** The name of the unit of the primary placement. */
  unit: string | null;
  fte: number | null;
  start: string | null;
  /** Current pay in the main unit with its currency (`85000 EUR`), as a person reads it. */
  pay: string | null;
  /** Whether that pay is an annual salary or a day rate. */
  payKind: 'salary' | 'day_rate' | null;
  active: boolean;
}

/** Each person of Live by email: name, title, manager's email, unit, FTE, start, current pay and whether active. */
export async function livePeople(ctx: ServiceContext): Promise<Record<string, LivePerson>> {
  const graph = (await ctx.graphs.live(ctx.tenant.id)).graph;
  const byId = new Map([...graph.actors.values()].map((a) => [a.id, a]));
  const out: Record<string, LivePerson> = {};
  for (const actor of graph.actors.values()) {
    const line = [...graph.reportingLines.values()].find((l) => l.actorId === actor.id && l.validTo === null);
    const placement = [...graph.placements.values()].find((p) => p.actorId === actor.id && p.isPrimary);
    const pay = [...graph.compensations.values()].find((c) => c.actorId === actor.id && c.validTo === null);
    out[actor.email!] = {
      name: actor.displayName,
      title: actor.title,
      manager: line ? (byId.get(line.managerId)?.email ?? null) : null,
      unit: placement ? (graph.orgUnits.get(placement.orgUnitId)?.name ?? null) : null,
      fte: actor.fte,
      start: actor.validFrom,
      pay: pay ? `${pay.amountMinor / 100} ${pay.currency}` : null,
      payKind: pay?.kind ?? null,
      active: actor.validTo === null,
    };
  }
  return out;
}
