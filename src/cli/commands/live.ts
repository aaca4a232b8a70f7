import { booleanFlag, integerFlag, stringFlag, UsageError, unknownSubcommand } from '../args.js';
import { ApiProblem } from '../client/errors.js';
import { cell, fte, hint, money, percent, print, printJson, printPairs, span } from '../client/output.js';
import type { Query } from '../client/http.js';
import type { Column } from '../client/output.js';
import { actorFlag, fetchList, ID, listCommand, printList, recordNames, scenarioName, teamTypeFlag, unitFlag, unitNames, viewQuery, word, type Run } from './shared.js';

/**
 * `orgonaut live …`: reads of Live — or of a scenario or snapshot with `--scenario <id>`, on another day with
 * `--as-of YYYY-MM-DD`. Lists take `--limit`, `--cursor` and `--all`.
 */

type Row = Record<string, any>;

/** A record's id as it is, where no names were looked up (--json, an empty page). */
const keepId = (id: string | null | undefined) => id;

const inactive = (run: Run) => (booleanFlag(run.args, 'include-inactive') ? 'true' : undefined);
const withoutManager = (run: Run) => (booleanFlag(run.args, 'without-manager') ? 'true' : undefined);

export async function liveCommand(run: Run): Promise<number> {
  const sub = word(run, 0, 'units|tree|departments|teams|actors|positions|placements|reporting-lines|compensation|metrics');
  const view = await viewQuery(run);
  const flag = (name: string) => stringFlag(run.args, name);
  switch (sub) {
    case 'units':
      return listCommand<Row>(run, '/api/v1/org-units', { ...view, type: flag('type'), parent_id: await unitFlag(run, 'parent', view), q: flag('search'), include_inactive: inactive(run) }, [
        { header: 'NAME', value: (u) => u.name },
        { header: 'TYPE', value: (u) => u.type },
        { header: 'CODE', value: (u) => u.code },
        { header: 'ACTIVE', value: (u) => u.active },
        ID,
      ]);
    case 'departments':
    case 'teams':
      return listCommand<Row>(run, `/api/v1/${sub}`, {
        ...view,
        q: flag('search'),
        include_inactive: inactive(run),
        ...(sub === 'teams' ? { team_type_id: await teamTypeFlag(run, 'team-type'), without_manager: withoutManager(run) } : {}),
      }, [
        { header: 'NAME', value: (u) => u.name },
        { header: 'HEADCOUNT', value: (u) => u.metrics?.headcount, align: 'right' },
        { header: 'FTE', value: (u) => fte(u.metrics?.fte), align: 'right' },
        { header: 'VACANT', value: (u) => u.metrics?.positions.vacant, align: 'right' },
        ID,
      ]);
    case 'actors': {
      const body = await fetchList(run, '/api/v1/actors', {
        ...view,
        kind: flag('kind'),
        org_unit_id: await unitFlag(run, 'unit', view),
        q: flag('search'),
        without_manager: withoutManager(run),
        // The server judges the check (and whether the token may read placements): one rule, its problem's words.
        placement_check: flag('placement-check'),
        include_inactive: inactive(run),
      });
      // Each actor's primary unit and manager by name, as the roster shows them: one look-up of each for the page.
      const rows = body.data as Row[];
      const [unit, manager] =
        run.json || !rows.length
          ? [keepId, keepId]
          : await Promise.all([
              unitNames(run, view, rows.map((a) => a.primary_org_unit_id)),
              recordNames(run, '/api/v1/actors', view, 'display_name', rows.map((a) => a.manager_id)),
            ]);
      printList<Row>(run, body, [
        { header: 'NAME', value: (a) => a.display_name, text: true },
        { header: 'KIND', value: (a) => a.kind },
        { header: 'TITLE', value: (a) => a.title, text: true },
        { header: 'UNIT', value: (a) => unit(a.primary_org_unit_id), text: true },
        { header: 'MANAGER', value: (a) => manager(a.manager_id), text: true },
        { header: 'FTE', value: (a) => fte(a.fte), align: 'right' },
        { header: 'EMAIL', value: (a) => a.email, text: true },
        ID,
      ]);
      return 0;
    }
    case 'positions': {
      // The REST filters of positions: the server judges them (--no-budgeted-team with --unit is its problem, in its words).
      const body = await fetchList(run, '/api/v1/positions', {
        ...view,
        org_unit_id: await unitFlag(run, 'unit', view),
        no_budgeted_team: booleanFlag(run.args, 'no-budgeted-team') ? 'true' : undefined,
        status: flag('status'),
        include_inactive: inactive(run),
        ids: flag('ids'),
      });
      const unit = run.json || !body.data.length ? (id: string) => id : await unitNames(run, view, (body.data as Row[]).map((p) => p.org_unit_id));
      printList<Row>(run, body, [
        { header: 'TITLE', value: (p) => p.title },
        { header: 'STATUS', value: (p) => p.status },
        { header: 'PLANNED FTE', value: (p) => fte(p.planned_fte), align: 'right' },
        { header: 'TYPE', value: (p) => p.employment_type },
        { header: 'UNIT', value: (p) => unit(p.org_unit_id) },
        ID,
      ]);
      return 0;
    }
    case 'placements': {
      const body = await fetchList(run, '/api/v1/placements', { ...view, actor_id: flag('actor'), org_unit_id: await unitFlag(run, 'unit', view), position_id: flag('position'), include_inactive: inactive(run) });
      // Actors, units and positions by name, not by id: only those on the page, looked up by id; --json keeps the ids.
      const rows = body.data as Row[];
      const [actor, unit, position] =
        run.json || !rows.length
          ? [keepId, keepId, keepId]
          : await Promise.all([
              recordNames(run, '/api/v1/actors', view, 'display_name', rows.map((p) => p.actor_id)),
              unitNames(run, view, rows.map((p) => p.org_unit_id)),
              recordNames(run, '/api/v1/positions', view, 'title', rows.map((p) => p.position_id)),
            ]);
      printList<Row>(run, body, [
        { header: 'ACTOR', value: (p) => actor(p.actor_id) },
        { header: 'UNIT', value: (p) => unit(p.org_unit_id) },
        { header: 'PRIMARY', value: (p) => p.is_primary },
        { header: 'ALLOC %', value: (p) => p.allocation_pct, align: 'right' },
        { header: 'EFF FTE', value: (p) => fte(p.effective_fte), align: 'right' },
        { header: 'POSITION', value: (p) => position(p.position_id) },
        ID,
      ]);
      return 0;
    }
    case 'reporting-lines':
      return reportingLines(run, view);
    case 'compensation':
      return compensation(run, view);
    case 'tree':
      return tree(run, view);
    case 'metrics':
      return metrics(run, view);
    default:
      throw unknownSubcommand('live', sub, ['units', 'tree', 'departments', 'teams', 'actors', 'positions', 'placements', 'reporting-lines', 'compensation', 'metrics']);
  }
}

interface TreeNode {
  id: string;
  name: string;
  type: string;
  active: boolean;
  child_count: number;
  metrics: Row | null;
  children?: TreeNode[];
}

async function tree(run: Run, view: Record<string, unknown>): Promise<number> {
  const depth = integerFlag(run.args, 'depth');
  const body = await run
    .client()
    .get<{ data: { roots: TreeNode[]; total: Row | null } }>('/api/v1/org-units/tree', { ...(view as Record<string, string>), depth, type: stringFlag(run.args, 'type'), root_id: await unitFlag(run, 'root', view as Query) });
  if (run.json) {
    printJson(body);
    return 0;
  }
  const lines: string[][] = [];
  const walk = (node: TreeNode, prefix: string, last: boolean, root: boolean) => {
    const label = `${root ? '' : `${prefix}${last ? '└─ ' : '├─ '}`}${node.name} (${node.type})${node.active ? '' : ' [inactive]'}${node.children === undefined && node.child_count ? ` +${node.child_count}` : ''}`;
    lines.push([label, cell(node.metrics?.headcount), cell(fte(node.metrics?.fte)), node.metrics?.cost ? money(node.metrics.cost.annual) : '']);
    const kids = node.children ?? [];
    kids.forEach((kid, i) => walk(kid, root ? '' : `${prefix}${last ? '   ' : '│  '}`, i === kids.length - 1, false));
  };
  body.data.roots.forEach((r) => walk(r, '', true, true));
  const width = Math.max(4, ...lines.map((l) => l[0]!.length));
  const seesCost = lines.some((l) => l[3]);
  // Money right-aligned, as in every other table.
  const costWidth = Math.max('ANNUAL COST'.length, ...lines.map((l) => l[3]!.length));
  print(`${'UNIT'.padEnd(width)}  ${'HEADCOUNT'.padStart(9)}  ${'FTE'.padStart(7)}${seesCost ? `  ${'ANNUAL COST'.padStart(costWidth)}` : ''}`);
  for (const [label, headcount, fte, cost] of lines) print(`${label!.padEnd(width)}  ${headcount!.padStart(9)}  ${fte!.padStart(7)}${seesCost ? `  ${cost!.padStart(costWidth)}` : ''}`.trimEnd());
  if (lines.some((l) => / \+\d+$/.test(l[0]!))) hint('+N: units below the depth shown (a larger --depth shows them).');
  return 0;
}

async function metrics(run: Run, view: Record<string, unknown>): Promise<number> {
  const body = await run.client().get<{ data: Row }>('/api/v1/org-metrics', { ...(view as Record<string, string>), org_unit_id: await unitFlag(run, 'unit', view as Query) });
  if (run.json) {
    printJson(body);
    return 0;
  }
  const m = body.data.metrics as Row | null;
  if (!m) {
    print('No metrics: this credential lacks org-metrics.read.');
    return 0;
  }
  // The unit and scenario by name (the API gives their ids; --json keeps them).
  const unitId = body.data.org_unit_id as string | null;
  const unit = unitId ? (await unitNames(run, view as Query, [unitId]))(unitId) : null;
  printPairs([
    ['Scope', unit ?? 'whole organisation'],
    ['As of', body.data.as_of],
    ['Scenario', body.data.scenario_id ? await scenarioName(run, body.data.scenario_id) : 'Live'],
    ['Headcount', m.headcount],
    ['Robots / agents', `${m.robots} / ${m.agents}`],
    ['FTE', fte(m.fte)],
    ['Effective FTE', fte(m.effective_fte)],
    ['Positions', `${m.positions.budgeted} budgeted, ${m.positions.filled} filled, ${m.positions.vacant} vacant (${percent(m.positions.vacancy_rate)})`],
    ['Span of control', `average ${span(m.span.average) ?? '-'}, median ${span(m.span.median) ?? '-'} (${m.span.managers} managers)`],
    ['Layers', m.layers],
    // A ratio of people per manager, printed as spans are (two decimals).
    ['Manager : IC', `1 : ${span(m.manager_to_ic.ics_per_manager) ?? '-'}`],
    ...(m.cost
      ? ([
          ['Annual cost', money(m.cost.annual)],
          ['Monthly cost', money(m.cost.monthly)],
          ['Cost per FTE', money(m.cost.per_fte)],
          ['Vacant seats, budgeted (annual, not paid)', money(m.cost.vacant_seats_annual)],
          ...(m.cost.without_compensation ? [['Without pay', `${m.cost.without_compensation} actor(s): cost unknown, left out of the cost figures`]] : []),
        ] as [string, unknown][])
      : []),
    ...(body.data.placement_checks ? ([['Placement checks', placementChecks(body.data.placement_checks, unitId !== null)]] as [string, unknown][]) : []),
  ]);
  if (body.data.placement_checks && Object.values(body.data.placement_checks as Record<string, number>).some((n) => n > 0)) {
    hint('Who they are: orgonaut live actors --placement-check <check> (needs placements.read).');
  }
  return 0;
}

/** How each placement check reads in the metrics, by its key. */
const PLACEMENT_CHECK_WORDS: Record<string, string> = {
  over_allocated: 'over-allocated (over 100 %)',
  under_allocated: 'under-allocated (under 100 %)',
  unplaced: 'unplaced',
  no_primary: 'without a primary placement',
};

/**
 * The placement checks' counts in a line (`1 over-allocated (over 100 %), 0 under-allocated …`); they count the whole
 * organisation, which a unit's metrics say, so they are not read as the unit's.
 */
function placementChecks(counts: Record<string, number>, forUnit: boolean): string {
  const line = Object.entries(counts)
    .map(([check, count]) => `${count} ${PLACEMENT_CHECK_WORDS[check] ?? check}`)
    .join(', ');
  return forUnit ? `${line} (whole organisation)` : line;
}

/** A record's days: from, and to (`-` while it holds). */
const FROM: Column<Row> = { header: 'FROM', value: (r) => r.valid_from ?? '-' };
const TO: Column<Row> = { header: 'TO', value: (r) => r.valid_to ?? '-' };

/** Actors by name for a table's ACTOR / MANAGER columns (ids kept with --json or an empty page). */
async function actorNames(run: Run, view: Query, ids: (string | null | undefined)[]) {
  return run.json || !ids.length ? keepId : recordNames(run, '/api/v1/actors', view, 'display_name', ids);
}

/** `live reporting-lines [--manager <actor>] [--actor <actor>]`: who reports to whom (solid lines), by name. */
async function reportingLines(run: Run, view: Query): Promise<number> {
  const body = await fetchList(run, '/api/v1/reporting-lines', {
    ...view,
    manager_id: await actorFlag(run, 'manager', view),
    actor_id: await actorFlag(run, 'actor', view),
    include_inactive: inactive(run),
  });
  const rows = body.data as Row[];
  const name = await actorNames(run, view, rows.flatMap((l) => [l.actor_id, l.manager_id]));
  printList<Row>(run, body, [{ header: 'ACTOR', value: (l) => name(l.actor_id), text: true }, { header: 'MANAGER', value: (l) => name(l.manager_id), text: true }, FROM, TO, ID]);
  return 0;
}

/**
 * `live compensation [--actor <actor>]`: pay records (salaries, day rates) with the actor by name and the amount as
 * money. Pay needs costs.read: a token without it is told so in one line (the API's 403, exit 1), not a bare refusal.
 */
async function compensation(run: Run, view: Query): Promise<number> {
  let body;
  try {
    body = await fetchList(run, '/api/v1/compensations', { ...view, actor_id: await actorFlag(run, 'actor', view), include_inactive: inactive(run) });
  } catch (error) {
    if (error instanceof ApiProblem && error.status === 403 && error.problem.ability === 'costs.read') {
      const fix = error.problem.fix ? ` ${error.problem.fix}` : '';
      throw new ApiProblem(403, error.problem, `live compensation shows pay, which needs the "costs.read" ability: this token does not have it.${fix} (HTTP 403 ${error.problem.code ?? 'missing_ability'})`);
    }
    throw error;
  }
  const rows = body.data as Row[];
  const name = await actorNames(run, view, rows.map((c) => c.actor_id));
  printList<Row>(run, body, [
    { header: 'ACTOR', value: (c) => name(c.actor_id), text: true },
    { header: 'KIND', value: (c) => c.kind },
    { header: 'AMOUNT', value: (c) => money(c.amount), align: 'right' },
    FROM,
    TO,
    ID,
  ]);
  return 0;
}
