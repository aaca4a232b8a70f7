import type { Principal } from '../access/policy.js';
import { isIsoDate } from '../org/dates.js';
import type { Family, OrgGraph } from '../org/types.js';
import type { OrgView } from '../org/view.js';
import { deltaVisibility } from '../scenarios/delta.js';
import { derivationOf } from '../scenarios/overlay.js';
import { viewOfContext } from './fields.js';

/**
 * A scenario's changes dated after the day it is read on: a restructure planned for next quarter, read today, shows
 * nowhere — not in the metric deltas of `scenario.delta` taken today, not in an org tool reading the scenario
 * without `as_of`. Both say so with the days, from here.
 */

/** The days among `values` (anything; ISO days count) after `asOf`, sorted, each once. */
export function daysAfter(asOf: string, values: Iterable<unknown>): string[] {
  const days = new Set<string>();
  for (const value of values) if (typeof value === 'string' && isIsoDate(value) && value > asOf) days.add(value);
  return [...days].sort();
}

/** "2027-01-01, 2027-02-01", or the first three and the last of more: "2027-01-01, 2027-02-01, 2027-03-01 … 2027-09-01". */
export function shownDays(days: readonly string[]): string {
  const last = days[days.length - 1]!;
  return days.length > 3 ? `${days.slice(0, 3).join(', ')} … ${last}` : days.join(', ');
}

/**
 * The note of an org read of a scenario on `view.asOf`, today when the call gave no `as_of`, about the scenario's changes
 * dated later, which the answer does not reflect; undefined when there are none. Only changes of record families
 * the caller may read count (as `scenario.delta` shows them), so the note says nothing of a record it could not list.
 */
export function laterChangesReadNote(principal: Principal, view: OrgView): string | undefined {
  if (!view.scenario) return undefined;
  const { readable } = deltaVisibility(principal);
  const dates = changeDatesOf(view.graph);
  const days = daysAfter(view.asOf, [...readable].flatMap((family) => dates.get(family) ?? []));
  if (!days.length) return undefined;
  return (
    `This scenario has changes dated after ${view.asOf} (on ${shownDays(days)}), which this answer, read on ${view.asOf}, does not reflect. ` +
    `Pass as_of "${days[days.length - 1]}" (the day the last takes effect) to read it with them all.`
  );
}

const changeDates = new WeakMap<OrgGraph, Map<Family, string[]>>();

/**
 * The start and end days a scenario's changes give its records, per family: an added record's, a changed record's
 * when they differ from what the scenario overlays (the same days `scenario.delta` reads from its added and changed
 * records). Worked out once per graph, in proportion to the changes; none for a graph that is no overlay (Live, a
 * snapshot).
 */
function changeDatesOf(graph: OrgGraph): Map<Family, string[]> {
  let dates = changeDates.get(graph);
  if (dates) return dates;
  dates = new Map();
  const derivation = derivationOf(graph);
  for (const [family, ids] of Object.entries(derivation?.changed ?? {}) as [Family, ReadonlySet<string>][]) {
    const records = graph[family] as Map<string, { validFrom?: string | null; validTo?: string | null }>;
    const before = derivation!.root[family] as Map<string, { validFrom?: string | null; validTo?: string | null }>;
    const days: string[] = [];
    for (const id of ids) {
      const record = records.get(id);
      if (!record) continue;
      const was = before.get(id);
      if (record.validFrom && record.validFrom !== was?.validFrom) days.push(record.validFrom);
      if (record.validTo && record.validTo !== was?.validTo) days.push(record.validTo);
    }
    if (days.length) dates.set(family, days);
  }
  changeDates.set(graph, dates);
  return dates;
}

/**
 * A tool's output with the note on the scenario's later-dated changes in its `context`, when the call read a scenario
 * without `as_of` (any org read tool: their contexts come from contextOf); the output itself otherwise.
 */
export function withLaterChangesNote(output: object, input: Record<string, unknown>, principal: Principal): object {
  if (input.as_of !== undefined || !('context' in output)) return output;
  const view = viewOfContext(output.context);
  const note = view && laterChangesReadNote(principal, view);
  return note ? { ...output, context: { ...(output.context as object), note } } : output;
}
