import type { Db } from '../connection.js';
import { currentLiveVersion } from '../live-store.js';
import { recordAudit, type AuditEvent } from '../../audit/record.js';
import { ENTITY_TYPES } from '../../org/family-names.js';
import { ensureUser, setMembership } from '../../access/users.js';
import type { Role } from '../../access/bundles.js';
import { foldEdit, type RecordEdit } from '../../scenarios/edits.js';
import { insertScenario, saveChanges } from '../../scenarios/store.js';
import { createTenant, findTenantBySlug, type Tenant } from '../../tenancy/tenants.js';
import type { Plan } from '../../tenancy/plans.js';
import type { GeneratedOrg } from '../../org/generator/index.js';
import { recordId, type Family, type OrgGraph, type Placement } from '../../org/types.js';
import { seedOrganisation } from './organisation.js';

/** The demo of SPEC §9: three tenants, their users, organisations, one planning scenario and one snapshot. */
export const DEMO_TENANTS: { slug: string; name: string; plan: Plan; currency: 'EUR' | 'USD'; actors: number }[] = [
  { slug: 'acme', name: 'Acme Corporation', plan: 'business', currency: 'EUR', actors: 300 },
  { slug: 'globex', name: 'Globex', plan: 'team', currency: 'EUR', actors: 40 },
  { slug: 'initech', name: 'Initech', plan: 'enterprise', currency: 'USD', actors: 150 },
];

export const DEMO_USERS: { email: string; name: string; tenant: string; role: Role }[] = [
  { email: 'owner@acme.test', name: 'Olivia Owner', tenant: 'acme', role: 'owner' },
  { email: 'admin@acme.test', name: 'Adam Admin', tenant: 'acme', role: 'admin' },
  { email: 'manager@acme.test', name: 'Maya Manager', tenant: 'acme', role: 'manager' },
  { email: 'member@acme.test', name: 'Milo Member', tenant: 'acme', role: 'member' },
  { email: 'viewer@acme.test', name: 'Vera Viewer', tenant: 'acme', role: 'viewer' },
  { email: 'owner@globex.test', name: 'Grace Globex', tenant: 'globex', role: 'owner' },
  { email: 'owner@initech.test', name: 'Ian Initech', tenant: 'initech', role: 'owner' },
  // A consultant in two organisations: signing in on the central host shows the choice of organisation (SPEC §1–2).
  { email: 'consultant@agency.test', name: 'Casey Consultant', tenant: 'acme', role: 'manager' },
  { email: 'consultant@agency.test', name: 'Casey Consultant', tenant: 'initech', role: 'viewer' },
];

/** Seeds every demo tenant that does not exist yet; returns the slugs it created. Idempotent. */
export async function seedDemo(db: Db, options: { password: string }): Promise<string[]> {
  const created: string[] = [];
  for (const spec of DEMO_TENANTS) {
    if (await findTenantBySlug(db, spec.slug)) continue;
    const tenant = await createTenant(db, { slug: spec.slug, name: spec.name, plan: spec.plan, reportingCurrency: spec.currency });
    const generated = await seedOrganisation(db, tenant, { actors: spec.actors, startDate: '2026-01-01' });
    if (spec.slug === 'acme') await seedAcmeScenarios(db, tenant, generated);
    created.push(spec.slug);
  }
  for (const user of DEMO_USERS) {
    const tenant = await findTenantBySlug(db, user.tenant);
    if (!tenant) continue;
    const account = await ensureUser(db, { email: user.email, name: user.name, password: options.password });
    await setMembership(db, tenant.id, account.id, user.role);
  }
  return created;
}

/** One snapshot of Live as seeded, and one planning scenario with a few realistic changes. */
async function seedAcmeScenarios(db: Db, tenant: Tenant, generated: GeneratedOrg): Promise<void> {
  const version = await currentLiveVersion(db, tenant.id);
  const snapshot = await insertScenario(db, tenant.id, {
    name: 'Live at 2026 planning kick-off',
    description: 'Snapshot of Live taken before the 2026 planning round.',
    kind: 'snapshot',
    liveVersion: version,
  });
  const scenario = await insertScenario(db, tenant.id, {
    name: '2026-12 platform-realignment',
    description: 'Move one engineering team under Product, pilot a dependency-upgrade agent and open a staff engineer seat.',
    kind: 'planning',
    liveVersion: version,
  });
  const edits = demoEdits(generated.graph);
  await db.transaction(async (tx) => {
    const folded = edits.map((edit) => {
      const source = (generated.graph[edit.family] as unknown as Map<string, Record<string, unknown>>).get(edit.recordId);
      return { family: edit.family, recordId: edit.recordId, change: foldEdit(undefined, source, edit, 1) };
    });
    await saveChanges(tx, tenant.id, scenario.id, folded);
    // The activity log tells the demo's story too: who made what (the seed, as "System"), with before and after.
    const audit = (event: Omit<AuditEvent, 'tenantId' | 'category'>) => recordAudit(tx, { tenantId: tenant.id, category: 'model', ...event });
    await audit({ entityType: 'scenario', entityId: snapshot.id, action: 'created', scenarioId: snapshot.id, after: { kind: 'snapshot' } });
    await audit({ entityType: 'scenario', entityId: scenario.id, action: 'created', scenarioId: scenario.id, after: { name: scenario.name, source_scenario_id: null } });
    for (const edit of edits) {
      const before = (generated.graph[edit.family] as unknown as Map<string, Record<string, unknown>>).get(edit.recordId) ?? null;
      const after = edit.kind === 'create' ? edit.record : edit.kind === 'update' && before ? { ...before, ...edit.fields } : null;
      const action = before === null ? 'created' : after === null ? 'deleted' : 'updated';
      await audit({ entityType: ENTITY_TYPES[edit.family], entityId: edit.recordId, action, scenarioId: scenario.id, before, after, metadata: { revision: 1 } });
    }
  });
}

function demoEdits(graph: OrgGraph): RecordEdit[] {
  const units = [...graph.orgUnits.values()];
  const product = units.find((u) => u.type === 'department' && u.name === 'Product');
  const team = units.find((u) => u.type === 'team' && u.parentId !== product?.id && units.find((p) => p.id === u.parentId)?.name === 'Engineering')
    ?? units.find((u) => u.type === 'team');
  const edits: RecordEdit[] = [];
  if (product && team) edits.push({ kind: 'update', family: 'orgUnits', recordId: team.id, fields: { parentId: product.id } });
  // Someone splits their time evenly between their two units: the secondary's share grows to 50 % and the primary's
  // shrinks by as much, so the story over-allocates no one.
  const secondary = [...graph.placements.values()].find((p) => !p.isPrimary && p.allocationPct < 50);
  const primary = secondary && [...graph.placements.values()].find((p) => p.isPrimary && p.actorId === secondary.actorId && p.validTo === null);
  if (secondary && primary && primary.allocationPct - (50 - secondary.allocationPct) > 0) {
    edits.push({ kind: 'update', family: 'placements', recordId: secondary.id, fields: { allocationPct: 50 } });
    edits.push({ kind: 'update', family: 'placements', recordId: primary.id, fields: { allocationPct: primary.allocationPct - (50 - secondary.allocationPct) } });
  }
  if (team) edits.push(...newAgentEdits(team.id), newPositionEdit(team.id));
  return edits;
}

const DEMO_AGENT_ID = '5c3f3c2e-8d1a-4c55-9a0e-2f0b6b1d7a01';

function newAgentEdits(teamId: string): RecordEdit[] {
  const placement: Placement = {
    id: '5c3f3c2e-8d1a-4c55-9a0e-2f0b6b1d7a02',
    actorId: DEMO_AGENT_ID,
    orgUnitId: teamId,
    positionId: null,
    isPrimary: true,
    allocationPct: 100,
    validFrom: null,
    validTo: null,
  };
  return [
    create('actors', DEMO_AGENT_ID, {
      id: DEMO_AGENT_ID,
      kind: 'agent',
      displayName: 'Dependency Upgrade Agent',
      email: null,
      externalUid: 'demo-dependency-upgrade-agent',
      sourceHris: null,
      sourceHrisId: null,
      fte: 0.5,
      title: 'AI agent: dependency upgrades',
      level: null,
      validFrom: null,
      validTo: null,
    }),
    create('placements', placement.id, { ...placement }),
  ];
}

function newPositionEdit(teamId: string): RecordEdit {
  const id = '5c3f3c2e-8d1a-4c55-9a0e-2f0b6b1d7a03';
  return create('positions', id, {
    id,
    title: 'Staff Platform Engineer',
    roleType: 'engineering',
    orgUnitId: teamId,
    plannedFte: 1,
    employmentType: 'perm',
    targetSalaryMinor: 11_500_000,
    dayRateMinor: null,
    currency: 'EUR',
    validFrom: null,
    validTo: null,
  });
}

function create(family: Family, id: string, record: Record<string, unknown>): RecordEdit {
  return { kind: 'create', family, recordId: recordId(family, record as never) ?? id, record };
}
