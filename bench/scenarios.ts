import { ensureUser, setMembership } from '../src/access/users.js';
import type { Database } from '../src/db/connection.js';
import { seedOrganisation } from '../src/db/seed/organisation.js';
import { inEffect, today } from '../src/org/dates.js';
import { GraphStore } from '../src/org/graph-store.js';
import { getOrgMetrics } from '../src/org/metrics-service.js';
import type { OrgGraph, OrgUnit, Placement } from '../src/org/types.js';
import { applyBatch } from '../src/scenarios/apply-batch.js';
import type { ChangeCommand } from '../src/scenarios/commands.js';
import { scenarioDelta } from '../src/scenarios/delta.js';
import { createScenario } from '../src/scenarios/lifecycle.js';
import { graphSize } from '../src/scenarios/overlay.js';
import { promoteScenario } from '../src/scenarios/promotion.js';
import { nameKey } from '../src/util/words.js';
import { promotionProblems } from '../src/scenarios/merge-check.js';
import { loadScenario } from '../src/scenarios/store.js';
import { confirmProposal, planProposal } from '../src/scenarios/proposals.js';
import { createTenant, findTenantBySlug, type Tenant } from '../src/tenancy/tenants.js';
import {
  formatCount,
  formatHeap,
  formatMs,
  formatRss,
  measure,
  medianOf,
  ownerPrincipal,
  type Measured,
  type Row,
} from './support.js';

/**
 * The scenario engine end to end on an enterprise tenant (issue: "create a scenario, apply a batch of 1,000
 * changes, compute the delta and metric deltas, promote"; aims: create < 5 s, delta < 300 ms, promotion < 5 s):
 *
 * - `runScenarioEngineSeed` seeds the tenant (a process of its own, so the seed's memory does not inflate the rest);
 * - `runScenarioEngine`, in a fresh process, loads Live as a running server has it, creates a planning scenario,
 *   applies one batch of 1,000 mixed changes through `applyBatch`, computes the delta cold (first after the batch)
 *   and warm, reads the metrics inside the scenario, plans and confirms a 50-change proposal, lets Live move (20 FTE
 *   changes promoted from another scenario) and computes the delta again, cold and warm, and the merge check alone
 *   (what promotion would make invalid, against Live as it was when the scenario was created), promotes (waiting for
 *   the task) and reads Live once more (the promotion primes the new Live version, so no reload).
 *
 * The changes are generated deterministically from the Live graph and are all valid: moves of primary placements,
 * allocation changes, FTE changes, manager changes (individual contributors to existing managers, so never a
 * cycle), new actors and positions, vacancies filled, a few teams moved to another department and units renamed.
 */

export const SCENARIO_ENGINE_WORKLOADS = ['scenarios'] as const;

export const BATCH_SIZE = 1_000;
export const PROPOSAL_SIZE = 50;
const WARM_RUNS = 5;

export interface EngineRun {
  label: string;
  size: number;
}

export const tenantSlug = (size: number) => `bench-engine-${size}`;

type Report = (row: Row) => void;

function rowMaker(run: EngineRun, report: Report) {
  return (workload: string, fields: Partial<Row>): void =>
    report({ database: run.label, workload, size: formatCount(run.size), time: '', rssPeak: '', heapPeak: '', notes: '', ...fields });
}

const timed = (m: Measured<unknown>): Partial<Row> => ({ time: formatMs(m.ms), rssPeak: formatRss(m.memory), heapPeak: formatHeap(m.memory) });

/** The row's figures and notes. */
const figures = (m: Measured<unknown>, notes: string): Partial<Row> => ({ ...timed(m), notes });

/** Creates the enterprise tenant and seeds its organisation (in a process of its own). */
export async function runScenarioEngineSeed(database: Database, run: EngineRun, report: Report): Promise<void> {
  const row = rowMaker(run, report);
  const tenant = await createTenant(database.db, {
    slug: tenantSlug(run.size),
    name: `Bench engine ${formatCount(run.size)}`,
    plan: 'enterprise',
    reportingCurrency: 'EUR',
  });
  const seeded = await measure(async () => {
    const org = await seedOrganisation(database.db, tenant, { actors: run.size, seed: `bench-engine-${run.size}` });
    return graphSize(org.graph);
  });
  row('engine: seed organisation', { ...timed(seeded), notes: `${formatCount(seeded.value)} records (setup)` });
}

export async function runScenarioEngine(database: Database, run: EngineRun, report: Report): Promise<void> {
  const row = rowMaker(run, report);
  const found = await findTenantBySlug(database.db, tenantSlug(run.size));
  if (!found) throw new Error(`no scenario-engine benchmark tenant for ${run.size} actors`);
  const tenant: Tenant = found;
  const user = await ensureUser(database.db, { email: `bench-engine-${run.size}@example.test`, name: 'Bench owner' });
  await setMembership(database.db, tenant.id, user.id, 'owner');
  // One graph store for the whole run, as one server process has: the first read loads Live, later ones reuse it.
  const graphs = new GraphStore(database.db);
  const ctx = { db: database.db, tenant, principal: { ...ownerPrincipal(tenant), userId: user.id }, graphs };

  // What start-up warms in the background (warmUpLargestTenants): Live loaded, today's metrics computed.
  const loaded = await measure(async () => {
    const live = await graphs.live(tenant.id);
    await getOrgMetrics(ctx);
    return live;
  });
  row('engine: warm-up (Live + metrics)', figures(loaded, `Live v${loaded.value.version} loaded and today's metrics computed, as start-up does`));

  const created = await measure(() => createScenario(ctx, { name: 'Bench reorganisation' }));
  const scenarioId = created.value.id;
  row('engine: create scenario', figures(created, 'createScenario (cap check, insert, audit)'));

  const commands = generateChanges(loaded.value.graph, today(), BATCH_SIZE, 'batch', new Set());
  const applied = await measure(() => applyBatch(ctx, scenarioId, commands));
  row(
    'engine: apply batch',
    figures(applied, `${formatCount(commands.length)} commands (${describeMix(commands)}); ${formatCount(applied.value.records_changed)} records changed`),
  );

  const cold = await measure(() => scenarioDelta(ctx, { scenarioId }));
  row('engine: delta, cold', figures(cold, `first after the batch; ${deltaSummary(cold.value)}`));
  await scenarioDelta(ctx, { scenarioId });
  const warm = await medianOf(WARM_RUNS, () => scenarioDelta(ctx, { scenarioId }));
  row('engine: delta, warm', warmRow(warm.ms, warm.all));

  const metrics = await measure(() => getOrgMetrics(ctx, { scenarioId }));
  row('engine: org metrics in scenario', figures(metrics, `headcount ${formatCount(metrics.value.metrics?.headcount ?? 0)}; after the delta`));

  const afterBatch = await graphs.scenario(await loadScenario(database.db, tenant.id, scenarioId));
  const proposalCommands = generateChanges(afterBatch, today(), PROPOSAL_SIZE, 'proposal', touchedActors(commands, loaded.value.graph));
  const planned = await measure(() => planProposal(ctx, { scenarioId, changes: proposalCommands }));
  row('engine: plan proposal', figures(planned, `${proposalCommands.length} commands, validated and previewed (delta of the batch)`));
  const confirmed = await measure(() => confirmProposal(ctx, planned.value.proposal_id));
  if (confirmed.value.status !== 'confirmed') throw new Error(`the proposal was not confirmed: ${JSON.stringify(confirmed.value)}`);
  row('engine: confirm proposal', figures(confirmed, `revision ${String((confirmed.value.outcome as { revision?: number } | undefined)?.revision ?? '?')}`));

  // Live moves meanwhile (another scenario promoted: FTE changes of people the reorganisation leaves alone), so the
  // delta also names the conflicts and merge problems its promotion would meet, against Live as it was then.
  const touched = touchedActors([...commands, ...proposalCommands], loaded.value.graph);
  await promoteElsewhere(ctx, liveMoves(loaded.value.graph, touched, LIVE_MOVES));
  const movedCold = await measure(() => scenarioDelta(ctx, { scenarioId }));
  const problems = movedCold.value.conflicts.length;
  row('engine: delta, Live moved, cold', figures(movedCold, `after ${LIVE_MOVES} FTE changes promoted from another scenario; ${problems} conflicts or merge problems`));
  const movedWarm = await medianOf(WARM_RUNS, () => scenarioDelta(ctx, { scenarioId }));
  row('engine: delta, Live moved, warm', warmRow(movedWarm.ms, movedWarm.all));
  const scenarioNow = await loadScenario(database.db, tenant.id, scenarioId);
  const merge = await medianOf(WARM_RUNS, () => promotionProblems(ctx, scenarioNow));
  row('engine: merge check (warm)', warmRow(merge.ms, merge.all));

  const final = await graphs.scenario(scenarioNow);
  const promoted = await measure(async () => {
    const started = await promoteScenario(ctx, scenarioId);
    return started.done;
  });
  if (promoted.value.status !== 'succeeded') throw new Error(`promotion ${promoted.value.status}: ${promoted.value.error ?? ''}`);
  const result = promoted.value.result as { records_written: number; live_version: number };
  row('engine: promote', figures(promoted, `${formatCount(result.records_written)} records written; task awaited`));

  const liveRead = await measure(() => getOrgMetrics(ctx));
  const primed = (await graphs.live(tenant.id)).graph === final;
  row('engine: first Live read after', figures(liveRead, `org metrics, Live v${result.live_version} ${primed ? 'primed by the promotion' : 'RELOADED (not primed)'}`));
}

export const LIVE_MOVES = 20;

/** `count` FTE changes of active people with a primary placement, none of `avoid`. */
export function liveMoves(graph: OrgGraph, avoid: Set<string>, count: number): ChangeCommand[] {
  const day = today();
  const placed = new Set([...graph.placements.values()].filter((p) => p.isPrimary && inEffect(p, day)).map((p) => p.actorId));
  const people = sortedById([...graph.actors.values()].filter((a) => a.kind === 'human' && inEffect(a, day) && placed.has(a.id) && !avoid.has(a.id)));
  return people.slice(0, count).map((a) => ({ op: 'set_fte', actor_id: a.id, fte: a.fte === 0.9 ? 0.8 : 0.9, date: day }) as ChangeCommand);
}

/** Applies `commands` in a scenario of their own and promotes it, so Live moves. */
export async function promoteElsewhere(ctx: Parameters<typeof createScenario>[0], commands: ChangeCommand[], name = 'Bench Live moves'): Promise<void> {
  const other = await createScenario(ctx, { name });
  await applyBatch(ctx, other.id, commands);
  const task = await (await promoteScenario(ctx, other.id)).done;
  if (task.status !== 'succeeded') throw new Error(`the Live moves were not promoted: ${task.error ?? task.status}`);
}

// ---------------------------------------------------------------------------------------------------------------
// Generated changes

/** A small deterministic PRNG (mulberry32), so every run applies the same changes to the same organisation. */
function random(seed: string): () => number {
  let a = 0;
  for (const ch of seed) a = (Math.imul(a ^ ch.charCodeAt(0), 2654435761) + 1) >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffled<T>(items: T[], next: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** The records in id order (the order a database returns rows in is not fixed); a plain sort of strings is fast. */
function sortedById<T extends { id: string }>(records: T[]): T[] {
  const byId = new Map(records.map((r) => [r.id, r]));
  return [...byId.keys()].sort().map((id) => byId.get(id)!);
}

/** The share of each op in a generated batch (the rest are placement moves). */
const MIX: [ChangeCommand['op'], number][] = [
  ['set_allocation', 0.15],
  ['set_fte', 0.15],
  ['set_manager', 0.2],
  ['add_actor', 0.1],
  ['create_position', 0.05],
  ['fill_position', 0.03],
  ['move_org_unit', 0.01],
  ['rename_org_unit', 0.01],
];

/**
 * `size` valid commands against `graph` on `day`. Each actor is touched by at most one command, and none of
 * `avoid` (which receives the actors used). Manager changes move individual contributors to existing managers and
 * new actors report to existing managers, so no command can close a reporting cycle.
 */
export function generateChanges(graph: OrgGraph, day: string, size: number, salt: string, avoid: Set<string>): ChangeCommand[] {
  const next = random(`${salt}:${size}`);
  const pick = <T>(items: T[]): T => items[Math.floor(next() * items.length)]!;
  const visible = (unit: OrgUnit | undefined): boolean => {
    for (let at = unit, hops = 0; at; at = at.parentId ? graph.orgUnits.get(at.parentId) : undefined, hops++) {
      if (!inEffect(at, day) || hops > 64) return false;
    }
    return unit !== undefined;
  };
  const units = sortedById([...graph.orgUnits.values()].filter(visible));
  const teams = units.filter((u) => u.type === 'team');
  const departments = units.filter((u) => u.type === 'department');
  const siblingNames = new Set(units.map((u) => `${u.parentId}|${nameKey(u.name)}`));

  const activeActors = sortedById([...graph.actors.values()].filter((a) => inEffect(a, day)));
  const active = new Set(activeActors.map((a) => a.id));
  const primaryOf = new Map<string, Placement>();
  const secondaries: Placement[] = [];
  const filled = new Set<string>();
  for (const p of graph.placements.values()) {
    if (!inEffect(p, day) || !active.has(p.actorId)) continue;
    if (p.positionId) filled.add(p.positionId);
    if (p.isPrimary) primaryOf.set(p.actorId, p);
    else secondaries.push(p);
  }
  const managerOf = new Map<string, string>();
  const reports = new Map<string, number>();
  for (const line of graph.reportingLines.values()) {
    if (!inEffect(line, day) || !active.has(line.actorId) || !active.has(line.managerId)) continue;
    managerOf.set(line.actorId, line.managerId);
    reports.set(line.managerId, (reports.get(line.managerId) ?? 0) + 1);
  }
  const managers = activeActors.filter((a) => reports.has(a.id)).map((a) => a.id);
  const ics = shuffled(
    activeActors.filter((a) => a.kind === 'human' && !reports.has(a.id) && primaryOf.has(a.id) && !avoid.has(a.id)).map((a) => a.id),
    next,
  );
  const vacant = shuffled(sortedById([...graph.positions.values()].filter((p) => inEffect(p, day) && p.orgUnitId && !filled.has(p.id))), next);
  const movableSecondaries = shuffled(sortedById(secondaries), next);

  let icAt = 0;
  const takeIc = (): string => {
    while (icAt < ics.length && avoid.has(ics[icAt]!)) icAt++;
    const id = ics[icAt++];
    if (!id) throw new Error('the organisation is too small for this many generated changes');
    avoid.add(id);
    return id;
  };

  const icsByUnit = new Map<string, string[]>();
  for (const id of ics) {
    const unitId = primaryOf.get(id)!.orgUnitId;
    icsByUnit.set(unitId, [...(icsByUnit.get(unitId) ?? []), id]);
  }
  /** A vacant position and an individual contributor placed in its unit, not used yet; null when none is left. */
  const takeVacancyWithIc = (): { position: (typeof vacant)[number]; actorId: string } | null => {
    for (let position = vacant.pop(); position; position = vacant.pop()) {
      const actorId = icsByUnit.get(position.orgUnitId!)?.find((id) => !avoid.has(id));
      if (!actorId) continue;
      avoid.add(actorId);
      return { position, actorId };
    }
    return null;
  };

  const counts = new Map<ChangeCommand['op'], number>(MIX.map(([op, share]) => [op, Math.floor(size * share)]));
  counts.set('move_placement', size - [...counts.values()].reduce((a, b) => a + b, 0));
  const commands: ChangeCommand[] = [];
  for (const [op, n] of counts) {
    for (let i = 0; i < n; i++) {
      switch (op) {
        case 'move_placement': {
          const placement = primaryOf.get(takeIc())!;
          let unit = pick(teams);
          if (unit.id === placement.orgUnitId) unit = pick(teams);
          commands.push({ op, placement_id: placement.id, org_unit_id: unit.id });
          break;
        }
        case 'set_allocation': {
          let placement: Placement | undefined;
          while (!placement && movableSecondaries.length) {
            const candidate = movableSecondaries.pop()!;
            if (!avoid.has(candidate.actorId)) placement = candidate;
          }
          placement ??= primaryOf.get(takeIc())!;
          avoid.add(placement.actorId);
          const choices = (placement.isPrimary ? [60, 80, 90] : [10, 20, 25, 30, 40, 50]).filter((v) => v !== placement.allocationPct);
          commands.push({ op, placement_id: placement.id, allocation_pct: pick(choices) });
          break;
        }
        case 'set_fte': {
          const actor = graph.actors.get(takeIc())!;
          commands.push({ op, actor_id: actor.id, fte: pick([0.5, 0.6, 0.8, 0.9, 1].filter((v) => v !== actor.fte)) });
          break;
        }
        case 'set_manager': {
          const actorId = takeIc();
          let managerId = pick(managers);
          while (managerId === managerOf.get(actorId) || managerId === actorId) managerId = pick(managers);
          commands.push({ op, actor_id: actorId, manager_id: managerId });
          break;
        }
        case 'add_actor':
          commands.push({
            op,
            kind: i % 10 === 9 ? 'agent' : 'human',
            display_name: `Bench ${salt} hire ${i + 1}`,
            org_unit_id: pick(teams).id,
            manager_id: pick(managers),
            title: 'Engineer',
          });
          break;
        case 'create_position':
          commands.push({ op, org_unit_id: pick(teams).id, title: `Bench ${salt} seat ${i + 1}`, planned_fte: 1, target_salary_minor: 6_000_000 + i * 10_000, currency: 'EUR' });
          break;
        case 'fill_position': {
          // A position is filled by someone placed in the unit it is budgeted in (the engine refuses any other).
          const filling = takeVacancyWithIc();
          if (filling) commands.push({ op, position_id: filling.position.id, actor_id: filling.actorId });
          break;
        }
        case 'move_org_unit': {
          const team = pick(teams);
          // Not under its own parent, below itself, or beside a unit of its name (the engine refuses two of one name).
          const refused = (parent: OrgUnit) => parent.id === team.parentId || underUnit(graph, parent, team.id) || siblingNames.has(`${parent.id}|${nameKey(team.name)}`);
          let parent = pick(departments);
          for (let tries = 0; refused(parent) && tries < 20; tries++) parent = pick(departments);
          if (refused(parent)) break;
          siblingNames.add(`${parent.id}|${nameKey(team.name)}`);
          commands.push({ op, org_unit_id: team.id, parent_id: parent.id });
          break;
        }
        case 'rename_org_unit': {
          const unit = pick(departments);
          commands.push({ op, org_unit_id: unit.id, name: `${unit.name} (${salt} ${i + 1})` });
          break;
        }
        default:
          throw new Error(`no generator for ${op}`);
      }
    }
  }
  // Pad (a skipped move or fill) with FTE changes, so the batch has exactly `size` commands.
  while (commands.length < size) commands.push({ op: 'set_fte', actor_id: takeIc(), fte: 0.7 });
  return commands;
}

function underUnit(graph: OrgGraph, unit: OrgUnit, ancestorId: string): boolean {
  for (let at: OrgUnit | undefined = unit, hops = 0; at && hops < 64; at = at.parentId ? graph.orgUnits.get(at.parentId) : undefined, hops++) {
    if (at.id === ancestorId) return true;
  }
  return false;
}

/** The actors a batch touched (directly, or through a placement), so a later batch can leave them alone. */
export function touchedActors(commands: ChangeCommand[], graph: OrgGraph): Set<string> {
  const actors = new Set<string>();
  for (const c of commands) {
    if (c.actor_id) actors.add(c.actor_id);
    if (c.placement_id) {
      const placement = graph.placements.get(c.placement_id);
      if (placement) actors.add(placement.actorId);
    }
  }
  return actors;
}


function warmRow(ms: number, all: number[]): Partial<Row> {
  return { time: formatMs(ms), rssPeak: '-', heapPeak: '-', notes: `median of ${all.length}: ${all.map((v) => v.toFixed(1)).join(', ')} ms` };
}

function describeMix(commands: ChangeCommand[]): string {
  const counts = new Map<string, number>();
  for (const c of commands) counts.set(c.op, (counts.get(c.op) ?? 0) + 1);
  return [...counts].map(([op, n]) => `${n} ${op}`).join(', ');
}

function deltaSummary(delta: Awaited<ReturnType<typeof scenarioDelta>>): string {
  let records = 0;
  for (const family of Object.values(delta.families)) records += (family?.added.length ?? 0) + (family?.removed.length ?? 0) + (family?.changed.length ?? 0);
  return `${formatCount(records)} records, ${formatCount(delta.metrics.by_org_unit.length)} units with metric deltas`;
}
