import type { ServiceContext } from '../../context.js';
import { authorize, can } from '../../access/policy.js';
import { everInEffect, inEffect } from '../../org/dates.js';
import { indexGraph } from '../../org/graph-index.js';
import { listActors, positionState } from '../../org/read-people.js';
import { listOrgUnits } from '../../org/read-structure.js';
import type { OrgGraph } from '../../org/types.js';
import { openView, type ViewRequest } from '../../org/view.js';
import { sortByKey, type Page, type PageRequest } from '../../util/pagination.js';
import { namesOf } from './context.js';
import { everyPage } from '../every-page.js';

/**
 * Choices for form fields (filters, the change tray). A filter's unit list is read through the list service page by
 * page and cut at `MAX_CHOICES`; what the change tray's fields may name is read whole (`recordChoices`), since a
 * person typed there must be found whoever they are.
 */
export interface Choice {
  value: string;
  label: string;
  /** An org unit's type (unit choices), for forms that offer only some types. */
  type?: string;
}

export const MAX_CHOICES = 2_000;

/**
 * Past this many choices a field is typed with suggestions (a datalist) instead of a select: the People page's
 * filters and the change tray's unit fields (its fields naming people, placements or positions switch sooner, at
 * `TRAY_SELECT_MAX`: each form there would repeat the list).
 */
export const SELECT_MAX = 300;

/** A list's items, up to `max`, and the graph they were read from. */
async function walk<T>(read: (page: PageRequest) => Promise<{ view: { graph: OrgGraph }; page: Page<T> }>, max = Infinity) {
  const { items, last } = await everyPage(read, (r) => r.page, { max });
  return { items, graph: last.view.graph };
}

/** Active org units with the names of the units above them (the company first), in tree order: a unit before the units below it. */
async function unitsInTreeOrder(ctx: ServiceContext, view: ViewRequest, max = Infinity) {
  const { items, graph } = await walk((page) => listOrgUnits(ctx, { ...view, ...page }), max);
  const pathOf = (id: string): string[] => {
    const names: string[] = [];
    const seen = new Set<string>();
    for (let at = graph.orgUnits.get(id); at && !seen.has(at.id); at = at.parentId ? graph.orgUnits.get(at.parentId) : undefined) {
      names.unshift(at.name);
      seen.add(at.id);
    }
    return names;
  };
  const byPath = (a: string[], b: string[]): number => {
    for (let i = 0; i < Math.min(a.length, b.length); i++) {
      const order = a[i]!.localeCompare(b[i]!);
      if (order) return order;
    }
    return a.length - b.length;
  };
  return items.map((u) => ({ path: pathOf(u.id), unit: u })).sort((a, b) => byPath(a.path, b.path));
}

/** Between the names of a unit's path in its label. */
export const UNIT_PATH_SEPARATOR = ' › ';

/** Active org units labelled by their path ("Fixture Co › Engineering › Platform (team)"), in tree order. */
export async function unitChoices(ctx: ServiceContext, view: ViewRequest): Promise<Choice[]> {
  return (await unitsInTreeOrder(ctx, view)).map(({ path, unit }) => ({ value: unit.id, label: `${path.join(UNIT_PATH_SEPARATOR)} (${unit.type})`, type: unit.type }));
}

/**
 * The units a page's filter select offers, in tree order, each labelled name first ("Platform (team) · in Fixture Co ›
 * Engineering"): a closed select too narrow for the whole path still shows which unit is chosen — a path label showed
 * the company's name whatever unit was picked — and typing a unit's name jumps to it.
 */
export async function unitFilterChoices(ctx: ServiceContext, view: ViewRequest): Promise<Choice[]> {
  return (await unitsInTreeOrder(ctx, view, MAX_CHOICES)).map(({ path, unit }) => {
    const above = path.slice(0, -1);
    return { value: unit.id, label: `${unit.name} (${unit.type})${above.length ? ` · in ${above.join(' › ')}` : ''}`, type: unit.type };
  });
}

/**
 * The tray's whole lists of people, placements and positions are read from the view's graph in one pass, listed as
 * the list services list them (in effect on the day; positions by status) and in their order: read page after page,
 * each page opened the scenario again (a query), which made the first tray after a change twice as slow at 10,000
 * actors.
 */
async function graphOf(ctx: ServiceContext, view: ViewRequest, ability: 'actors.read' | 'placements.read' | 'positions.read') {
  authorize(ctx.principal, ability);
  return openView(ctx, view);
}

export async function actorChoices(ctx: ServiceContext, view: ViewRequest): Promise<Choice[]> {
  const { graph, asOf } = await graphOf(ctx, view, 'actors.read');
  const listed = sortByKey([...graph.actors.values()].filter((a) => inEffect(a, asOf)), (a) => [a.displayName.toLowerCase(), a.id]);
  return listed.map((a) => ({ value: a.id, label: a.title ? `${a.displayName} · ${a.title}` : a.displayName }));
}

/**
 * Everyone with a direct report in effect on the day — the managers the People table's "Reports to" filter offers —
 * labelled "Name · Title", by name. Read from the view's graph, so a large organisation's list is not cut.
 */
export async function managerChoices(ctx: ServiceContext, view: ViewRequest): Promise<Choice[]> {
  const { view: opened } = await listActors(ctx, { ...view, limit: 1 });
  const { graph, asOf } = opened;
  const ids = new Set([...graph.reportingLines.values()].filter((l) => inEffect(l, asOf)).map((l) => l.managerId));
  return [...ids]
    .flatMap((id) => {
      const a = graph.actors.get(id);
      return a ? [{ value: a.id, label: a.title ? `${a.displayName} · ${a.title}` : a.displayName }] : [];
    })
    .sort((a, b) => a.label.localeCompare(b.label) || a.value.localeCompare(b.value));
}

export async function placementChoices(ctx: ServiceContext, view: ViewRequest): Promise<Choice[]> {
  if (!can(ctx.principal, 'placements.read')) return [];
  const { graph, asOf } = await graphOf(ctx, view, 'placements.read');
  const names = namesOf(graph);
  const actorName = (id: string) => graph.actors.get(id)?.displayName.toLowerCase() ?? '';
  const listed = sortByKey([...graph.placements.values()].filter((p) => inEffect(p, asOf)), (p) => [actorName(p.actorId), p.id]);
  return listed.map((p) => ({
    value: p.id,
    label: `${names.actor(p.actorId)} in ${names.unit(p.orgUnitId)} · ${p.allocationPct} %${p.isPrimary ? ' (primary)' : ''}`,
  }));
}

/** Positions by title: `open`, those filled or vacant on the day (not closed); `vacant`, those nobody fills. */
export async function positionChoices(ctx: ServiceContext, view: ViewRequest, status: 'open' | 'vacant' = 'open'): Promise<Choice[]> {
  if (!can(ctx.principal, 'positions.read')) return [];
  const opened = await graphOf(ctx, view, 'positions.read');
  const { graph } = opened;
  const index = indexGraph(graph);
  const names = namesOf(graph);
  const where = (unitId: string | null) => (unitId ? `in ${names.unit(unitId)}` : 'with no budgeted team yet');
  const listed = sortByKey([...graph.positions.values()].filter(everInEffect), (p) => [p.title.toLowerCase(), p.id]).flatMap((p) => {
    const state = positionState(opened, index, p).status;
    return (status === 'open' ? state !== 'closed' : state === status) ? [{ value: p.id, label: `${p.title} ${where(p.orgUnitId)} (${state})` }] : [];
  });
  return listed;
}

/** The kinds of record a change tray field names. */
export const RECORD_KINDS = ['actor', 'placement', 'position', 'vacancy', 'unit'] as const;
export type RecordKind = (typeof RECORD_KINDS)[number];

const READ_CHOICES: Record<RecordKind, (ctx: ServiceContext, view: ViewRequest) => Promise<Choice[]>> = {
  unit: unitChoices,
  actor: actorChoices,
  placement: placementChoices,
  position: (ctx, view) => positionChoices(ctx, view, 'open'),
  vacancy: (ctx, view) => positionChoices(ctx, view, 'vacant'),
};

/**
 * Every record of a kind the change tray may name in the view (a scenario, as its graph has it: what was planned in
 * it counts), in the lists' order — none left out, however large the organisation: a typed name is resolved, and
 * searched for, in the whole list. Read once per graph and day (graphs never change; a graph no longer read goes
 * with its lists), since each page of the tray and each search of its suggestions asks again. Placements and
 * positions only for a principal who may read them (none otherwise); people and units need their read ability.
 */
export async function recordChoices(ctx: ServiceContext, view: ViewRequest, kind: RecordKind): Promise<readonly Choice[]> {
  // The view first: another organisation's scenario is not found, whatever the principal may read.
  const { graph, asOf } = await openView(ctx, view);
  if (kind === 'placement' && !can(ctx.principal, 'placements.read')) return [];
  if ((kind === 'position' || kind === 'vacancy') && !can(ctx.principal, 'positions.read')) return [];
  if (kind === 'actor' || kind === 'unit') authorize(ctx.principal, kind === 'unit' ? 'org-units.read' : 'actors.read');
  let lists = choicesOfGraph.get(graph);
  if (!lists) choicesOfGraph.set(graph, (lists = new Map()));
  const key = `${kind}:${asOf}`;
  let list = lists.get(key);
  if (!list) {
    // Labels name no cost and nothing a principal's abilities change, so one reading serves everyone who may read the kind.
    lists.set(key, (list = READ_CHOICES[kind](ctx, { ...view, asOf })));
    const held = lists;
    list.catch(() => held.delete(key));
  }
  return list;
}

const choicesOfGraph = new WeakMap<OrgGraph, Map<string, Promise<Choice[]>>>();
