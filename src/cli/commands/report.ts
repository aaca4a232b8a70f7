import { booleanFlag, stringFlag, UsageError } from '../args.js';
import { ApiProblem } from '../client/errors.js';
import { cell, fieldLabel, fte, money, span, utcTime } from '../client/output.js';
import { fetchAll, fetchList, ID, listCommand, printList, scenarioRef, unitFlag, viewQuery, word, type Run } from './shared.js';

/** `orgonaut report roster|metrics|spans|lineage|snapshots|activity`: the reports of the REST API as tables or JSON. */

type Row = Record<string, any>;

export async function reportCommand(run: Run): Promise<number> {
  const sub = word(run, 0, 'roster|metrics|spans|lineage|snapshots|activity');
  const flag = (name: string) => stringFlag(run.args, name);
  const view = ['roster', 'metrics', 'spans'].includes(sub) ? await viewQuery(run) : {};
  switch (sub) {
    case 'roster':
      return listCommand<Row>(
        run,
        '/api/v1/reports/roster',
        { ...view, org_unit_id: await unitFlag(run, 'unit', view), kind: flag('kind'), primary_only: booleanFlag(run.args, 'primary-only') ? 'true' : undefined },
        [
          { header: 'NAME', value: (r) => r.display_name, text: true },
          { header: 'TITLE', value: (r) => r.title, text: true },
          { header: 'UNIT', value: (r) => r.primary_org_unit?.name, text: true },
          { header: 'MANAGER', value: (r) => r.manager?.display_name, text: true },
          { header: 'FTE', value: (r) => fte(r.fte), align: 'right' },
          { header: 'POSITION', value: (r) => r.placements.find((p: Row) => p.is_primary)?.position?.title, text: true },
          { header: 'OTHER UNITS', value: (r) => r.placements.filter((p: Row) => !p.is_primary).map((p: Row) => `${p.org_unit.name} ${p.allocation_pct}%`).join(', '), text: true },
          ...(run.json ? [] : [{ header: 'ANNUAL COST', value: (r: Row) => (r.annual_loaded_cost ? money(r.annual_loaded_cost) : undefined), align: 'right' as const, optional: true }]),
          ID,
        ],
        flag('kind') || booleanFlag(run.args, 'primary-only') ? 'Nobody in this unit matches.' : 'Nobody in this unit.',
      );
    case 'metrics':
      return listCommand<Row>(run, '/api/v1/reports/org-unit-metrics', { ...view, type: flag('type'), org_unit_id: await unitFlag(run, 'unit', view), include_inactive: booleanFlag(run.args, 'include-inactive') ? 'true' : undefined }, [
        { header: 'UNIT', value: (u) => u.name },
        { header: 'TYPE', value: (u) => u.type },
        { header: 'PATH', value: (u) => (u.path as string[]).join(' › ') },
        { header: 'HEADCOUNT', value: (u) => u.metrics?.headcount, align: 'right' },
        { header: 'FTE', value: (u) => fte(u.metrics?.fte), align: 'right' },
        { header: 'VACANT', value: (u) => u.metrics?.positions.vacant, align: 'right' },
        { header: 'SPAN', value: (u) => span(u.metrics?.span.average), align: 'right' },
        { header: 'LAYERS', value: (u) => u.metrics?.layers, align: 'right' },
        { header: 'ANNUAL COST', value: (u) => (u.metrics?.cost ? money(u.metrics.cost.annual) : undefined), align: 'right', optional: true },
      ]);
    case 'spans':
      return listCommand<Row>(
        run,
        '/api/v1/reports/spans',
        { ...view, org_unit_id: await unitFlag(run, 'unit', view), span: flag('span') },
        [
          { header: 'MANAGER', value: (m) => m.display_name },
          { header: 'TITLE', value: (m) => m.title },
          { header: 'UNIT', value: (m) => m.home_org_unit?.name },
          { header: 'REPORTS', value: (m) => m.direct_reports, align: 'right' },
          { header: 'SPAN', value: (m) => m.span },
          { header: 'LAYER', value: (m) => m.layer, align: 'right' },
          ID,
        ],
        flag('span') === 'all' ? 'No one has direct reports here.' : 'No manager here has a span this narrow or wide.',
      );
    case 'lineage': {
      const body = await fetchList(run, '/api/v1/lineage', {});
      // Entries name scenarios and snapshots by id: the table shows their names (one more list read).
      const names = run.json || !body.data.length ? new Map<string, string>() : await scenarioNames(run);
      const name = (id: string | null) => (id ? names.get(id) ?? id : undefined);
      printList<Row>(run, body, [
        { header: 'APPLIED', value: (e) => utcTime(e.applied_at) },
        { header: 'TYPE', value: (e) => e.type },
        // Who did it; no one for the system and HRIS sync (an older server without `user`: their id).
        { header: 'BY', value: (e) => (e.user ? e.user.name ?? e.user.id : e.user_id ?? 'system') },
        { header: 'TO', value: (e) => name(e.to_scenario_id) ?? (e.deltas?.import_run_id ? `import run ${e.deltas.import_run_id}` : undefined) },
        { header: 'REPLACED (SNAPSHOT)', value: (e) => name(e.from_snapshot_id) },
        { header: 'HEADCOUNT', value: (e) => signed(e.deltas?.headcount), align: 'right' },
        { header: 'FTE', value: (e) => fte(e.deltas?.fte, true), align: 'right' },
        { header: 'LIVE VERSION', value: (e) => e.live_version, align: 'right' },
      ], 'No promotions or restores yet.');
      return 0;
    }
    case 'snapshots':
      return listCommand<Row>(run, '/api/v1/snapshots', {}, [
        { header: 'NAME', value: (s) => s.name },
        { header: 'CREATED', value: (s) => utcTime(s.created_at) },
        ID,
      ], 'No snapshots yet.');
    case 'activity': {
      const body = await fetchList(run, '/api/v1/activity', { category: flag('category'), entity_type: flag('entity-type'), scenario_id: flag('scenario') === undefined ? undefined : await scenarioRef(run, flag('scenario')!, '--scenario'), since: flag('since'), until: flag('until') });
      // A change made in a scenario is not a change to Live: the table says where (by the scenario's name when the
      // credential may read scenarios).
      const names = run.json || !(body.data as Row[]).some((e) => e.scenario_id) ? new Map<string, string>() : await scenarioNames(run, true);
      printList<Row>(run, body, [
        { header: 'AT', value: (e) => utcTime(e.at, true) },
        { header: 'WHO', value: (e) => e.user?.email ?? e.principal_kind },
        // In words: `reporting line created`, `api token used first` (the API's keys are in --json).
        { header: 'ACTION', value: (e) => `${e.entity_type} ${e.action}`.replaceAll('_', ' ') },
        { header: 'RECORD', value: (e) => recordName(e.after) ?? recordName(e.before) ?? (e.entity_type === 'scenario' ? names.get(e.entity_id) : undefined) ?? e.entity_id },
        { header: 'IN', value: (e) => (e.category === 'security' ? undefined : e.scenario_id ? `scenario ${names.get(e.scenario_id) ?? e.scenario_id}` : 'Live'), optional: true },
        { header: 'CHANGED', value: (e) => changedFields(e.before, e.after) },
      ], 'No activity.');
      return 0;
    }
    default:
      throw new UsageError(`unknown report "${sub}" (roster, metrics, spans, lineage, snapshots or activity)`);
  }
}

/**
 * Every scenario's and snapshot's name by id (applied scenarios and snapshots included); with `optional`, none when
 * the credential may not read scenarios (the ids are shown instead).
 */
async function scenarioNames(run: Run, optional = false): Promise<Map<string, string>> {
  try {
    const { data } = await fetchAll(run.client(), '/api/v1/scenarios');
    return new Map((data as Row[]).map((s) => [s.id, s.name]));
  } catch (error) {
    if (optional && error instanceof ApiProblem && error.status === 403) return new Map();
    throw error;
  }
}

/** A change with its sign (+1, -0.5, 0); nothing when there is none. */
function signed(value: unknown): string | undefined {
  return typeof value === 'number' ? `${value > 0 ? '+' : ''}${cell(value)}` : undefined;
}

/** The record an event is about, by the name it carries (a scenario's, a unit's, an actor's), when it has one. */
function recordName(values: unknown): string | null {
  if (!values || typeof values !== 'object') return null;
  const v = values as Row;
  // Actors are named by `display_name`, scenarios and units by `name`, positions by `title`.
  const name = v.name ?? v.display_name ?? v.title;
  return typeof name === 'string' && name ? name : null;
}

/**
 * The fields whose value differs between an event's before and after, named as changes name them (`FTE`, `Parent unit`). An event with no before (a record created, a
 * scenario promoted, an import run) changed no field: its after is what it made or reported (a promotion's
 * `snapshot_id`, `live_version`…), not a list of changes.
 */
function changedFields(before: unknown, after: unknown): string {
  if (!after || typeof after !== 'object' || !before || typeof before !== 'object') return '';
  const old = before as Row;
  return Object.keys(after)
    .filter((key) => JSON.stringify(old[key]) !== JSON.stringify((after as Row)[key]))
    .map(fieldLabel)
    .join(', ');
}
