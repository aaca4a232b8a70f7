import { authorize, can } from '../access/policy.js';
import type { ServiceContext } from '../context.js';
import { InvalidInput, MissingAbility } from '../errors.js';
import { today } from '../org/dates.js';
import { camel, ENTITY_TYPES, FAMILY_OF_ENTITY } from '../org/family-names.js';
import { recordsOf, type Family, type FamilyRecords, type OrgGraph } from '../org/types.js';
import { counted } from '../util/words.js';
import { savePreparedBatch, type BatchOutcome, type PreparedBatch } from './apply-batch.js';
import { deltaVisibility, FAMILY_ABILITIES, labelOf } from './delta.js';
import { CHANGE_FAMILIES } from './list-changes.js';
import { assertMutableScenario } from './lifecycle.js';
import { mergeProblems } from './merge-check.js';
import type { ScenarioChange } from './overlay.js';
import { loadScenario } from './store.js';
import { WorkingGraph } from './working-graph.js';
import { notAChoice } from '../util/choice.js';

/**
 * Discarding a scenario's changes to some records: each takes its source's current value again (an added record is
 * dropped, a removed one comes back, a changed one loses its changed fields) — the undo of the change tray, record by
 * record. What else the scenario changed stays. Discarding needs `scenarios.write`, and `scenarios.delete` for a
 * record the scenario added (dropping it removes a record from the scenario, SPEC §3); pay needs `costs.read` (nobody
 * edits pay they cannot see), and each family the read ability of its tools (as in the delta: what the caller cannot
 * see they cannot undo).
 *
 * Discarding is refused, with nothing saved, when it would leave the scenario with a problem it does not have now
 * — a placement in an added unit that would no longer exist, a reporting line to an added person, a restored
 * placement that would be a second primary one: the refusal names each record involved (`also`), to discard with it
 * or change first. A problem the source itself has is not the scenario's to fix, and is not counted.
 */

export interface DiscardTarget {
  /** The record's family as deltas and change lists name it: `placement`, `org_unit`… */
  family: string;
  record_id: string;
}

export const MAX_DISCARD = 500;

export interface DiscardOutcome extends BatchOutcome {
  discarded: { family: string; record_id: string; op: ScenarioChange['op'] }[];
}

export async function discardChanges(ctx: ServiceContext, scenarioId: string, targets: readonly DiscardTarget[]): Promise<DiscardOutcome> {
  return saveDiscard(ctx, await prepareDiscard(ctx, scenarioId, targets));
}

export interface PreparedDiscard extends PreparedBatch {
  discarded: DiscardOutcome['discarded'];
}

/** Validates a discard against the scenario as it is, saving nothing (a REST If-Match checks its revision in between). */
export async function prepareDiscard(ctx: ServiceContext, scenarioId: string, targets: readonly DiscardTarget[]): Promise<PreparedDiscard> {
  authorize(ctx.principal, 'scenarios.write');
  if (!targets.length) throw new InvalidInput('records', 'name at least one record whose change to discard');
  if (targets.length > MAX_DISCARD) throw new InvalidInput('records', `at most ${MAX_DISCARD} records at once`);
  const scenario = await loadScenario(ctx.db, ctx.tenant.id, scenarioId);
  assertMutableScenario(scenario);
  const { readable } = deltaVisibility(ctx.principal);
  const existing = new Map((await ctx.graphs.changes(scenario)).map((c) => [`${c.family}:${c.recordId}`, c]));
  const wanted = new Map<string, { family: Family; recordId: string; change: ScenarioChange }>();
  targets.forEach((target, index) => {
    const field = `records[${index}]`;
    const family = FAMILY_OF_ENTITY.get(target.family.trim());
    if (!family) throw notAChoice(`${field}.family`, CHANGE_FAMILIES, target.family);
    if (!readable.has(family)) throw new MissingAbility(FAMILY_ABILITIES[family].find((a) => !can(ctx.principal, a))!);
    if (family === 'compensations') authorize(ctx.principal, 'costs.read');
    const recordId = target.record_id.trim();
    const change = existing.get(`${family}:${recordId}`);
    if (!change) {
      throw new InvalidInput(`${field}.record_id`, `this scenario has no change of its own to the ${target.family} "${recordId}" (the delta against its source lists the ones it has)`, {
        reason: 'no_change',
      });
    }
    if (change.op === 'add') authorize(ctx.principal, 'scenarios.delete');
    wanted.set(`${family}:${recordId}`, { family, recordId, change });
  });
  // An added unit's department or team record (same id) goes with it; alone, it cannot go.
  for (const { family, recordId, change } of [...wanted.values()]) {
    if (family === 'orgUnits' && change.op === 'add') {
      for (const companion of ['departments', 'teams'] as const) {
        const added = existing.get(`${companion}:${recordId}`);
        if (added?.op === 'add') wanted.set(`${companion}:${recordId}`, { family: companion, recordId, change: added });
      }
    } else if ((family === 'departments' || family === 'teams') && change.op === 'add' && existing.get(`orgUnits:${recordId}`)?.op === 'add' && !wanted.has(`orgUnits:${recordId}`)) {
      const index = targets.findIndex((t) => t.record_id.trim() === recordId);
      throw new InvalidInput(`records[${index}].family`, `the ${ENTITY_TYPES[family]} record of a unit the scenario added goes with its org unit: discard the org_unit "${recordId}" instead`, {
        reason: 'goes_with_org_unit',
      });
    }
  }
  const { graph: before, source } = await ctx.graphs.scenarioWithSource(scenario);
  const day = today();
  const wg = new WorkingGraph(before, day);
  const orphans: PreparedBatch['edits'] = [];
  for (const { family, recordId, change } of wanted.values()) {
    const sourceRecord = recordsOf(source.graph, family).get(recordId) as FamilyRecords[typeof family] | undefined;
    const current = wg.get(family, recordId);
    if (change.op === 'add' || !sourceRecord) {
      // Added here, or changed here and removed from the source since (the delta's `removed_in_source` conflict):
      // nothing of it is left once the change is gone.
      if (current) wg.remove(family, recordId);
      else orphans.push({ kind: 'delete', family, recordId });
    } else if (!current) {
      wg.create(family, sourceRecord);
    } else {
      const fields: Record<string, unknown> = {};
      for (const field of Object.keys(change.values ?? {})) fields[field] = (sourceRecord as unknown as Record<string, unknown>)[field] ?? null;
      wg.update(family, recordId, fields as Partial<FamilyRecords[typeof family]>);
    }
  }
  const after = wg.finish();
  const refs = [...wanted.values()].map(({ family, recordId }) => ({ family, recordId }));
  const problems = mergeProblems({ live: source.graph, asMade: before, merged: after }, refs, day, readable.has('actors'));
  if (problems.length) {
    // The records involved — each with a problem, and the one its field points at — that have a change of their own
    // to discard too; the others need changing first.
    const involved = problems.flatMap((p) => {
      const family = FAMILY_OF_ENTITY.get(p.family)!;
      const target = pointedAt(after, family, p.id, p.field);
      if (!target) return [{ family, id: p.id, label: p.label }];
      const record = [before, after].map((g) => recordsOf(g, target.family).get(target.id)).find(Boolean) as Record<string, unknown> | undefined;
      return [{ family, id: p.id, label: p.label }, { ...target, label: record ? labelOf(record, [before, after], readable.has('actors')) : null }];
    });
    const also = uniqueRecords(involved.filter((r) => !wanted.has(`${r.family}:${r.id}`) && existing.has(`${r.family}:${r.id}`)));
    throw new InvalidInput(
      'records',
      `discarding would leave the scenario with ${counted(problems.length, 'problem')} it does not have now: ` +
        problems.map((p) => `the ${p.family.replace('_', ' ')} “${p.label ?? p.id}” ${p.problem}`).join('; '),
      {
        reason: 'leaves_problems',
        problems: problems.map(({ family, id, label, field, problem }) => ({ family, id, label, field, problem })),
        also,
        hint: also.length
          ? `Discard the changes to ${also.map((r) => `the ${r.family.replace('_', ' ')} “${r.label ?? r.record_id}”`).join(', ')} as well, in the same request — or change them first.`
          : 'Change the records named first, then discard again.',
      },
    );
  }
  const discarded = [...wanted.values()].map(({ family, recordId, change }) => ({ family: ENTITY_TYPES[family], record_id: recordId, op: change.op }));
  return { scenario, commands: [], ids: [], before, edits: [...wg.edits, ...orphans], graph: after, created: [], discarded };
}

/** Saves a prepared discard at the revision it was validated against (one audit entry per record, as a batch has). */
export async function saveDiscard(ctx: ServiceContext, prepared: PreparedDiscard): Promise<DiscardOutcome> {
  return { ...(await savePreparedBatch(ctx, prepared)), discarded: prepared.discarded };
}

/** The id fields a problem may name, and the family of the record each points at. */
const POINTS_AT: Record<string, Family> = {
  actor_id: 'actors',
  manager_id: 'actors',
  lead_actor_id: 'actors',
  org_unit_id: 'orgUnits',
  parent_id: 'orgUnits',
  position_id: 'positions',
};

/** The record a problem's field points at (the unit a placement is in, the person a line is of…), if it names one. */
function pointedAt(graph: OrgGraph, family: Family, id: string, field: string): { family: Family; id: string } | null {
  const target = POINTS_AT[field];
  const record = recordsOf(graph, family).get(id) as Record<string, unknown> | undefined;
  const value = record?.[camel(field)];
  return target && typeof value === 'string' ? { family: target, id: value } : null;
}

/** The records involved (once each), as a discard request names them. */
function uniqueRecords(records: readonly { family: Family; id: string; label: string | null }[]) {
  const seen = new Map<string, { family: string; record_id: string; label: string | null }>();
  for (const r of records) if (!seen.has(`${r.family}:${r.id}`)) seen.set(`${r.family}:${r.id}`, { family: ENTITY_TYPES[r.family], record_id: r.id, label: r.label });
  return [...seen.values()];
}
