import { and, eq, sql } from 'drizzle-orm';
import { authorize, can } from '../access/policy.js';
import { recordAudit } from '../audit/record.js';
import type { ServiceContext } from '../context.js';
import { scenarioProposals, tenants } from '../db/schema/index.js';
import { AppError, NotFound } from '../errors.js';
import { isUuid } from '../util/ids.js';
import { entityOfCreated } from '../org/family-names.js';
import { formatMinor, positionAnnualCost, type MoneyFigure } from '../org/cost.js';
import { inEffect, today } from '../org/dates.js';
import { recordsOf, type CostSettings, type Position } from '../org/types.js';
import { loadCostSettings } from '../tenancy/tenants.js';
import { prepareBatch, savePreparedBatch, type BatchOutcome, type PreparedBatch } from './apply-batch.js';
import { abilitiesFor } from './commands.js';
import { scenarioDelta } from './delta.js';
import { prepareDiscard, type DiscardTarget, type PreparedDiscard } from './discard.js';
import { lastChangeDay } from './last-change-day.js';
import { loadScenario, ScenarioMoved } from './store.js';
import { WorkingGraph } from './working-graph.js';

/**
 * Governed AI scenario actions (SPEC §5): `plan` validates a batch against a mutable scenario and stores it as a
 * proposal — nothing applied; `confirm` applies it atomically and exactly once (a second or concurrent confirm gets
 * the same outcome); a proposal that expired, belongs to another user or client, or whose scenario — or the
 * scenario's source (Live, or the scenario it branched from) — changed since planning is refused with the reason.
 * Proposals live in the database, so any instance can confirm.
 */
export const PROPOSAL_TTL_MS = 30 * 60 * 1000;

export class StaleProposal extends AppError {
  constructor(reason: 'expired' | 'cancelled' | 'already_confirmed' | 'other_owner' | 'scenario_changed' | 'source_changed', fix: string) {
    const messages = {
      expired: 'This proposal has expired; nothing was applied.',
      cancelled: 'This proposal was cancelled; nothing was applied.',
      already_confirmed: 'This proposal was already confirmed: its changes are applied to the scenario, so it cannot be cancelled.',
      other_owner: 'This proposal was planned by another user or client; only they can confirm or cancel it.',
      scenario_changed: 'The scenario changed since this proposal was planned; nothing was applied.',
      source_changed:
        "The scenario's source (Live, or the scenario it was branched from) changed since this proposal was planned, so its preview and conflicts may no longer hold; nothing was applied.",
    };
    super('stale_proposal', 409, messages[reason], fix, { reason });
  }
}

type ProposalRow = typeof scenarioProposals.$inferSelect;

export async function planProposal(ctx: ServiceContext, input: { scenarioId: string; changes: unknown }) {
  return (await planProposalWithGraph(ctx, input)).proposal;
}

/**
 * planProposal, and the scenario's graph as the proposal would leave it (`after`, not stored): a preview names the
 * records its ids point to from it — a team the batch creates or renames by its new name, as `scenario.delta` will.
 */
export async function planProposalWithGraph(ctx: ServiceContext, input: { scenarioId: string; changes: unknown }) {
  authorize(ctx.principal, 'ai.scenarios.draft');
  // Read before the batch is validated: a source change in between makes the confirm refuse, never go unnoticed.
  const source = await sourceVersion(ctx, input.scenarioId);
  const batch = await prepareBatch(ctx, input.scenarioId, input.changes);
  for (const command of batch.commands) for (const ability of abilitiesFor(command)) authorize(ctx.principal, ability);
  const proposal = await storeProposal(ctx, batch, { ...(await previewOf(ctx, batch)), ids: batch.ids, source });
  return { proposal, after: batch.graph };
}

/**
 * A proposal to discard the scenario's changes to some records (the change tray's undo, see discard.ts): validated
 * now — refused, naming the records to discard with them, when it would leave the scenario with a problem — and
 * applied by the same confirm. The records it names are kept in the preview (`discard`), its commands are none.
 */
export async function planDiscardProposal(ctx: ServiceContext, input: { scenarioId: string; records: readonly DiscardTarget[] }) {
  return (await planDiscardWithGraph(ctx, input)).proposal;
}

/** planDiscardProposal, and the scenario's graph as the discard would leave it (as planProposalWithGraph). */
export async function planDiscardWithGraph(ctx: ServiceContext, input: { scenarioId: string; records: readonly DiscardTarget[] }) {
  authorize(ctx.principal, 'ai.scenarios.draft');
  const source = await sourceVersion(ctx, input.scenarioId);
  const prepared = await prepareDiscard(ctx, input.scenarioId, input.records);
  // A discarded hire starting next year changes next year's figures: they are taken on the latest day a record
  // involved starts, as a batch's are on the day its last change takes effect.
  const starts = prepared.edits.flatMap((e) => [prepared.before, prepared.graph].map((g) => ({ date: (recordsOf(g, e.family).get(e.recordId) as { validFrom?: string | null } | undefined)?.validFrom })));
  const { commands: _none, ...preview } = await previewOf(ctx, prepared, lastChangeDay(starts));
  const proposal = await storeProposal(ctx, prepared, { ...preview, discarded: prepared.discarded, discard: input.records, source });
  return { proposal, after: prepared.graph };
}

async function storeProposal(ctx: ServiceContext, batch: PreparedBatch, preview: Record<string, unknown>) {
  const [row] = await ctx.db
    .insert(scenarioProposals)
    .values({
      tenantId: ctx.tenant.id,
      scenarioId: batch.scenario.id,
      userId: ctx.principal.userId ?? '00000000-0000-0000-0000-000000000000',
      clientId: ctx.principal.clientId ?? null,
      clientName: ctx.principal.clientName ?? null,
      commands: batch.commands as Record<string, unknown>[],
      scenarioRevision: batch.scenario.revision,
      preview,
      expiresAt: new Date(Date.now() + PROPOSAL_TTL_MS),
    })
    .returning();
  return presentProposal(row!);
}

/** The batch a stored proposal applies: its commands again, or the discard it names, against the scenario as it is. */
async function preparedAgain(ctx: ServiceContext, row: ProposalRow): Promise<PreparedBatch | PreparedDiscard> {
  const { ids, discard } = row.preview as { ids?: string[]; discard?: DiscardTarget[] };
  return discard ? prepareDiscard(ctx, row.scenarioId, discard) : prepareBatch(ctx, row.scenarioId, row.commands, ids ?? []);
}

/**
 * The version of what the scenario's unchanged records follow: Live's version for a scenario of Live, the source
 * scenario's revision (and, down the chain, Live's version) for a scenario of a scenario. Null for an unknown id (the
 * batch reports it).
 */
async function sourceVersion(ctx: ServiceContext, scenarioId: string, db: ServiceContext['db'] = ctx.db): Promise<string | null> {
  if (!isUuid(scenarioId)) return null;
  let scenario = await loadScenario(db, ctx.tenant.id, scenarioId).catch(() => null);
  if (!scenario || scenario.kind !== 'planning') return null;
  const chain: string[] = [];
  // Up the chain of planning sources (each scenario's revision) to Live or a fixed snapshot/applied scenario.
  for (let depth = 0; scenario.sourceScenarioId && depth < 100; depth++) {
    scenario = await loadScenario(db, ctx.tenant.id, scenario.sourceScenarioId);
    if (scenario.kind !== 'planning') return [...chain, `${scenario.id}@live${scenario.liveVersion}`].join('|');
    chain.push(`${scenario.id}@${scenario.revision}`);
  }
  const [tenant] = await db.select({ liveVersion: tenants.liveVersion }).from(tenants).where(eq(tenants.id, ctx.tenant.id));
  return [...chain, `live@${Number(tenant?.liveVersion ?? 0)}`].join('|');
}

/** Refuses when the source moved since planning (proposals stored before the version was recorded are not checked). */
async function checkSource(ctx: ServiceContext, row: ProposalRow, db: ServiceContext['db'] = ctx.db): Promise<void> {
  const planned = (row.preview as { source?: string | null }).source;
  if (planned === undefined) return;
  if ((await sourceVersion(ctx, row.scenarioId, db)) !== planned) throw new SourceMoved();
}

class SourceMoved extends Error {}

/**
 * What the batch would do — and only the batch: the records it touches and the metric and cost impact, comparing the
 * scenario as it is now with the scenario after the batch (the scenario's earlier changes are in `scenario.delta`).
 */
async function previewOf(ctx: ServiceContext, batch: PreparedBatch, asOf = lastChangeDay(batch.commands as Record<string, unknown>[])) {
  const touched = batch.edits.map((e) => ({ family: e.family, recordId: e.recordId }));
  const before = await ctx.graphs.scenario(batch.scenario);
  // Taken today, changes from a later day would not show (a hire starting next year read 'Headcount 0'): the figures
  // are taken on the day the last change takes effect, when that is later, and the preview says so (`as_of`).
  const delta = await scenarioDelta(ctx, { scenarioId: batch.scenario.id, asOf }, { target: batch.graph, alsoCompare: touched, before });
  const notes = await draftNotes(ctx, batch);
  return {
    commands: batch.commands.length,
    ...(asOf ? { as_of: asOf } : {}),
    records: delta.families,
    metrics: delta.metrics.total,
    by_org_unit: delta.metrics.by_org_unit,
    ...(delta.withheld.length ? { withheld: delta.withheld } : {}),
    ...(notes.length ? { notes } : {}),
  };
}

/**
 * Look-ups by field in a batch's graph (the placements filling a seat, a person's lines or pay), through the root's
 * indexes: a note about a few records costs those records, not a pass over a 100,000-record family per record.
 */
function batchLookups(batch: Pick<PreparedBatch, 'graph'>): WorkingGraph {
  return new WorkingGraph(batch.graph, today());
}

/**
 * What a person reading a preview should know about a batch's new actors before agreeing — the same for every
 * surface that stages changes (MCP plan, web tray): one with no pay is left out of the cost figures (the cost delta
 * reads 0 for a hire — `without_compensation` moves instead), one with no manager starts a reporting line of its
 * own (layer 1, which moves layers and spans). `unpaid` only for a caller who may read costs (null otherwise).
 * Names as the batch has them (display name, else id).
 */
export function hireGaps(ctx: ServiceContext, batch: Awaited<ReturnType<typeof prepareBatch>>): { unpaid: string[] | null; unmanaged: string[] } {
  const added = batch.created.filter((c) => c.family === 'actors').map((c) => ({ ...c, actor: batch.graph.actors.get(c.id) }));
  if (!added.length) return { unpaid: can(ctx.principal, 'costs.read') ? [] : null, unmanaged: [] };
  const nameOf = (a: (typeof added)[number]) => a.actor?.displayName ?? a.id;
  // The hires' lines and pay, looked up together (not a pass over every line and pay of the organisation per hire).
  const lookups = batchLookups(batch);
  const ids = new Set(added.map((a) => a.id));
  const lines = lookups.whereAny('reportingLines', { actorId: ids }).get('actorId')!;
  const pay = can(ctx.principal, 'costs.read') ? lookups.whereAny('compensations', { actorId: ids }).get('actorId')! : null;
  const coveredOnFirstDay = (a: (typeof added)[number], found: Map<unknown, { validFrom: string | null; validTo: string | null }[]>) =>
    (found.get(a.id) ?? []).some((record) => inEffect(record, a.actor?.validFrom ?? today()));
  return {
    unpaid: pay ? added.filter((a) => !coveredOnFirstDay(a, pay)).map(nameOf) : null,
    unmanaged: added.filter((a) => !coveredOnFirstDay(a, lines)).map(nameOf),
  };
}

/**
 * The seats a batch creates that nobody fills on their first day, each with what it would cost filled at its target
 * pay (loaded, in the reporting currency, as `org.positions.list` counts `annual_loaded_cost`; null without target pay).
 * The cost figures count people, not empty seats, so a preview of new vacancies alone reads 'cost delta 0'.
 */
function openSeats(batch: Awaited<ReturnType<typeof prepareBatch>>, cost: CostSettings): { title: string; loaded: MoneyFigure | null }[] {
  const seats = new Map<string, Position>();
  for (const created of batch.created) {
    const position = created.family === 'positions' ? batch.graph.positions.get(created.id) : undefined;
    if (position) seats.set(position.id, position);
  }
  if (!seats.size) return [];
  const lookups = batchLookups(batch);
  return [...seats.values()]
    .filter((seat) => !lookups.where('placements', 'positionId', seat.id).some((p) => inEffect(p, seat.validFrom ?? today())))
    .map((seat) => ({ title: seat.title, loaded: positionAnnualCost(seat, cost) }));
}

/**
 * The actors in the scenario before the batch whose contracted FTE it changes while their pay, in effect today, stays:
 * a salary is for the contracted FTE (SPEC §6), so the cost delta reads 0 — "no saving" unless the note says why.
 */
function fteWithoutPay(batch: Awaited<ReturnType<typeof prepareBatch>>): string[] {
  const repaid = new Set<string>();
  for (const edit of batch.edits) {
    if (edit.family !== 'compensations') continue;
    const record = batch.graph.compensations.get(edit.recordId) ?? batch.before.compensations.get(edit.recordId);
    if (record) repaid.add(record.actorId);
  }
  const lookups = batchLookups(batch);
  const names = new Map<string, string>();
  for (const edit of batch.edits) {
    if (edit.family !== 'actors' || names.has(edit.recordId) || repaid.has(edit.recordId)) continue;
    const before = batch.before.actors.get(edit.recordId);
    const after = batch.graph.actors.get(edit.recordId);
    if (!before || !after || before.fte === null || after.fte === null || before.fte === after.fte) continue;
    if (lookups.where('compensations', 'actorId', edit.recordId).some((pay) => inEffect(pay, today()))) names.set(edit.recordId, after.displayName);
  }
  return [...names.values()];
}

/** `hireGaps` and `openSeats` as notes for the MCP preview, each naming the change that fixes it. */
async function draftNotes(ctx: ServiceContext, batch: Awaited<ReturnType<typeof prepareBatch>>): Promise<string[]> {
  const { unpaid, unmanaged } = hireGaps(ctx, batch);
  const named = (list: string[]) => list.map((n) => `"${n}"`).join(', ');
  const notes: string[] = [];
  if (unpaid?.length) {
    notes.push(
      `${unpaid.length === 1 ? 'This new actor has' : `These ${unpaid.length} new actors have`} no pay: ${named(unpaid)}. The cost figures leave ` +
        'them out (the cost delta does not count them; `without_compensation` does), so the cost impact is understated. ' +
        'To include them, give each add_actor a `ref` and add a set_compensation change with actor_id "$<ref>", kind, ' +
        'amount_minor and currency, then plan again.',
    );
  }
  if (unmanaged.length) {
    notes.push(
      `${unmanaged.length === 1 ? 'This new actor has' : `These ${unmanaged.length} new actors have`} no manager: ${named(unmanaged)}. ` +
        'Each starts a reporting line of its own (layer 1), which moves layers and spans. To place them, give add_actor a ' +
        '`manager_id` (or add a set_manager change), then plan again.',
    );
  }
  const samePay = can(ctx.principal, 'costs.read') ? fteWithoutPay(batch) : [];
  if (samePay.length) {
    notes.push(
      `The FTE change of ${named(samePay)} leaves the cost as it was: pay is a year's base salary for the contracted FTE (or a ` +
        'day rate per working day), and this proposal does not change it. If the pay moves with the FTE (a salary pro rata), ' +
        'add a set_compensation change (actor_id, kind, amount_minor, currency) after it, then plan again.',
    );
  }
  const seats = can(ctx.principal, 'costs.read') ? openSeats(batch, await loadCostSettings(ctx.db, ctx.tenant)) : [];
  if (seats.length) notes.push(openSeatsNote(seats));
  const left = can(ctx.principal, 'positions.read') ? seatsLeftBehind(batch) : [];
  if (left.length) notes.push(seatsLeftBehindNote(left, can(ctx.principal, 'actors.read'), can(ctx.principal, 'org-units.read')));
  const leaderless = leadsLeft(batch);
  if (leaderless.length) notes.push(leadsLeftNote(leaderless, can(ctx.principal, 'actors.read'), can(ctx.principal, 'org-units.read')));
  return notes;
}

/**
 * The departments a batch's leavers led: deactivate_actor clears the lead of a department its actor leads (a lead is
 * an active actor), so each is left without one — the delta shows the lead gone, this says why. Each department whose
 * lead the batch cleared while deactivating that lead, with their name.
 */
function leadsLeft(batch: Awaited<ReturnType<typeof prepareBatch>>): { unitId: string; unit: string; lead: string }[] {
  const left = new Map<string, { unitId: string; unit: string; lead: string }>();
  for (const edit of batch.edits) {
    if (edit.family !== 'departments' || left.has(edit.recordId) || batch.graph.departments.get(edit.recordId)?.leadActorId !== null) continue;
    const leadId = batch.before.departments.get(edit.recordId)?.leadActorId;
    const lead = leadId ? batch.graph.actors.get(leadId) : undefined;
    if (!leadId || !lead || lead.validTo === batch.before.actors.get(leadId)?.validTo) continue;
    left.set(edit.recordId, { unitId: edit.recordId, unit: batch.graph.orgUnits.get(edit.recordId)?.name ?? edit.recordId, lead: lead.displayName });
  }
  return [...left.values()];
}

function leadsLeftNote(left: ReturnType<typeof leadsLeft>, showActors: boolean, showUnits: boolean): string {
  const one = left.length === 1;
  const departments = left.map((d) => `${showUnits ? `"${d.unit}" ` : ''}(${d.unitId}${showActors ? `, led by "${d.lead}"` : ''})`);
  return (
    `${one ? 'Department' : 'Departments'} ${departments.join(', ')} no longer ${one ? 'has a lead' : 'have a lead'}: ` +
    `${one ? 'its lead leaves' : 'their leads leave'} in this batch, and deactivate_actor clears the lead of a department its leaver leads ` +
    '(from today: a lead is kept without history). ' +
    'To give one another lead, add after the deactivation update_department (org_unit_id, lead_actor_id), then plan again.'
  );
}

/**
 * The seats a batch's `move_placement` changes leave behind: a placement moved to another unit no longer fills the
 * position it filled (a seat is filled only where it is budgeted), so merging two teams by moving their people reads
 * 'vacant positions +5' beside the three hires planned, with nothing in the preview saying why. Each seat still in
 * effect and filled by nobody on the move's day, with the person who left it.
 */
function seatsLeftBehind(batch: Awaited<ReturnType<typeof prepareBatch>>): { position: Position; person: string; unit: string }[] {
  const left = new Map<string, { position: Position; person: string; unit: string }>();
  const lookups = batchLookups(batch);
  for (const command of batch.commands as Record<string, unknown>[]) {
    if (command.op !== 'move_placement' || typeof command.placement_id !== 'string') continue;
    const moved = batch.graph.placements.get(command.placement_id.trim());
    const position = moved?.positionId ? batch.graph.positions.get(moved.positionId) : undefined;
    const day = typeof command.date === 'string' && command.date ? command.date : today();
    if (!moved || !position || left.has(position.id) || !inEffect(position, day)) continue;
    const filled = lookups.where('placements', 'positionId', position.id).some((p) => inEffect(p, day));
    if (!filled) {
      left.set(position.id, {
        position,
        person: batch.graph.actors.get(moved.actorId)?.displayName ?? moved.actorId,
        unit: (position.orgUnitId && batch.graph.orgUnits.get(position.orgUnitId)?.name) ?? position.orgUnitId ?? 'no unit',
      });
    }
  }
  return [...left.values()];
}

function seatsLeftBehindNote(left: ReturnType<typeof seatsLeftBehind>, showActors: boolean, showUnits: boolean): string {
  const one = left.length === 1;
  const seats = left.map((s) => `"${s.position.title}" (${s.position.id}${showUnits ? `, in ${s.unit}` : ''}${showActors ? `, left by ${s.person}` : ''})`);
  return (
    `${one ? 'The seat the moved person filled stays where it is' : `The ${left.length} seats the moved people filled stay where they are`} ` +
    `budgeted, now vacant: ${seats.join(', ')} — a placement moved to another unit no longer fills its position, and \`vacant_positions\` counts ` +
    `${one ? 'it' : 'them'}. To move a seat with its person, add after the move update_position (position_id, org_unit_id: the new unit) ` +
    'and fill_position (position_id, actor_id); for a seat no longer needed, close_position; then plan again.'
  );
}

function openSeatsNote(seats: ReturnType<typeof openSeats>): string {
  const priced = seats.filter((s) => s.loaded?.amountMinor != null);
  const unpriced = seats.filter((s) => s.loaded?.amountMinor == null);
  const total = priced.reduce((sum, s) => sum + s.loaded!.amountMinor!, 0);
  const currency = priced[0]?.loaded?.currency;
  const parts = [
    `${seats.length === 1 ? 'This new position is' : `These ${seats.length} new positions are`} vacant: the cost figures count ` +
      'the people in seats, not empty seats, so the cost delta leaves them out; `vacant_seats_annual_cost_minor` counts their budget apart.',
  ];
  if (priced.length && currency) {
    parts.push(
      `Filled at their target pay, ${priced.length === seats.length ? 'they' : `the ${priced.length} with target pay`} would add ` +
        `${formatMinor(Math.round(total), currency)} a year (loaded, as \`annual_loaded_cost\` in \`org.positions.list\`).`,
    );
  }
  if (unpriced.length) {
    const why = (s: (typeof unpriced)[number]) => (s.loaded?.unconvertible.length ? `no exchange rate for ${s.loaded.unconvertible.join(', ')}` : 'no target pay');
    parts.push(
      `What ${unpriced.map((s) => `"${s.title}" (${why(s)})`).join(', ')} would cost is unknown: give create_position ` +
        'target_salary_minor or day_rate_minor with a currency that has an exchange rate, then plan again.',
    );
  }
  return parts.join(' ');
}

async function loadProposal(ctx: ServiceContext, id: string): Promise<ProposalRow> {
  if (!isUuid(id)) throw new NotFound('Proposal', id);
  const [row] = await ctx.db
    .select()
    .from(scenarioProposals)
    .where(and(eq(scenarioProposals.tenantId, ctx.tenant.id), eq(scenarioProposals.id, id)));
  if (!row) throw new NotFound('Proposal', id);
  return row;
}

function checkOwner(ctx: ServiceContext, row: ProposalRow, action: 'confirm' | 'cancel'): void {
  if (row.userId !== ctx.principal.userId || (row.clientId ?? null) !== (ctx.principal.clientId ?? null)) {
    throw new StaleProposal(
      'other_owner',
      action === 'confirm'
        ? 'Plan the change again from this client with `scenario.action.plan`.'
        : 'Leave it: unconfirmed, it applies nothing and expires by itself. To draft a change of your own, use `scenario.action.plan`.',
    );
  }
}

/** Applies a planned proposal exactly once. Confirming a confirmed proposal returns its outcome again. */
export async function confirmProposal(ctx: ServiceContext, id: string) {
  authorize(ctx.principal, 'ai.scenarios.draft');
  const row = await loadProposal(ctx, id);
  checkOwner(ctx, row, 'confirm');
  if (row.status === 'confirmed') return { ...presentProposal(row), already_confirmed: true };
  if (row.status === 'cancelled') throw new StaleProposal('cancelled', 'Plan the change again with `scenario.action.plan`.');
  if (row.expiresAt.getTime() <= Date.now()) throw new StaleProposal('expired', 'Plan the change again with scenario.action.plan.');
  const scenarioChanged = () =>
    settleRace(ctx, id, () => {
      throw new StaleProposal('scenario_changed', 'Review the scenario (`scenario.delta`) and plan the change again with `scenario.action.plan`.');
    });
  const sourceChanged = () =>
    settleRace(ctx, id, () => {
      throw new StaleProposal('source_changed', 'Review the scenario (`scenario.delta` shows any conflicts) and plan the change again with `scenario.action.plan`.');
    });
  // Before validating again: changes made since planning would otherwise surface as a confusing validation error
  // (a record discarded meanwhile has 'no change' left) instead of the reason.
  if ((await loadScenario(ctx.db, ctx.tenant.id, row.scenarioId)).revision !== row.scenarioRevision) return scenarioChanged();
  const batch = await preparedAgain(ctx, row);
  if (batch.scenario.revision !== row.scenarioRevision) return scenarioChanged();
  let outcome: BatchOutcome;
  try {
    await checkSource(ctx, row);
    outcome = await claimAndSave(ctx, row, batch);
  } catch (error) {
    if (error instanceof ScenarioMoved || error instanceof AlreadyClaimed) return scenarioChanged();
    if (error instanceof SourceMoved) return sourceChanged();
    throw error;
  }
  await recordAudit(ctx.db, { tenantId: ctx.tenant.id, category: 'model', entityType: 'proposal', entityId: id, action: 'confirmed', principal: ctx.principal, scenarioId: row.scenarioId, after: presentOutcome(outcome) });
  return { ...presentProposal(await loadProposal(ctx, id)), already_confirmed: false };
}

class AlreadyClaimed extends Error {}

/**
 * Marks the proposal confirmed and saves its batch in one transaction: the status flip (planned → confirmed) is the
 * single winner among concurrent confirms, and the batch's revision check makes a lost race save nothing.
 */
async function claimAndSave(ctx: ServiceContext, row: ProposalRow, batch: PreparedBatch | PreparedDiscard): Promise<BatchOutcome> {
  // A discard's outcome names the records it took back, as the REST discard does.
  const full = (outcome: BatchOutcome) => ('discarded' in batch ? { ...outcome, discarded: batch.discarded } : outcome);
  const outcome = await savePreparedBatch(ctx, batch, async (tx, outcome) => {
    const claimed = await tx
      .update(scenarioProposals)
      .set({ status: 'confirmed', outcome: presentOutcome(full(outcome)), decidedAt: sql`now()` })
      .where(and(eq(scenarioProposals.tenantId, ctx.tenant.id), eq(scenarioProposals.id, row.id), eq(scenarioProposals.status, 'planned')))
      .returning({ id: scenarioProposals.id });
    if (!claimed.length) throw new AlreadyClaimed();
    // Again as the batch is saved (its base values come from the source as it is now): a move since the first check
    // rolls everything back.
    await checkSource(ctx, row, tx);
  });
  return full(outcome);
}

/** After losing a race: if another confirm of this proposal won, answer with its outcome; else refuse. */
async function settleRace(ctx: ServiceContext, id: string, refuse: () => never) {
  const row = await loadProposal(ctx, id);
  if (row.status === 'confirmed') return { ...presentProposal(row), already_confirmed: true };
  return refuse();
}

export async function cancelProposal(ctx: ServiceContext, id: string) {
  authorize(ctx.principal, 'ai.scenarios.draft');
  const row = await loadProposal(ctx, id);
  checkOwner(ctx, row, 'cancel');
  if (row.status === 'confirmed') {
    throw new StaleProposal('already_confirmed', 'To undo it, discard its changes with scenario.action.plan_discard (name the records scenario.delta lists), or draft other changes with scenario.action.plan.');
  }
  const [updated] = await ctx.db
    .update(scenarioProposals)
    .set({ status: 'cancelled', decidedAt: sql`now()` })
    .where(and(eq(scenarioProposals.tenantId, ctx.tenant.id), eq(scenarioProposals.id, id), eq(scenarioProposals.status, 'planned')))
    .returning();
  return presentProposal(updated ?? (await loadProposal(ctx, id)));
}

export function presentProposal(row: ProposalRow) {
  const { ids: _ids, source: _source, discard: _discard, ...preview } = row.preview as Record<string, unknown>;
  return {
    proposal_id: row.id,
    scenario_id: row.scenarioId,
    status: row.status,
    expires_at: row.expiresAt.toISOString(),
    planned_against_revision: row.scenarioRevision,
    preview,
    ...(row.outcome ? { outcome: presentOutcome(row.outcome) } : {}),
  };
}

/**
 * A confirmation's outcome with each created record's family named as the activity log's record types (`org_unit`,
 * not the engine's `org_units`): the confirm result, its activity event and a repeated confirm alike (older rows held
 * the engine's names).
 */
export function presentOutcome(outcome: BatchOutcome | Record<string, unknown>): Record<string, unknown> {
  const created = (outcome as { created?: unknown }).created;
  if (!Array.isArray(created)) return { ...outcome };
  return { ...outcome, created: created.map((c: { family?: unknown }) => (typeof c.family === 'string' ? { ...c, family: entityOfCreated(c.family) } : c)) };
}
