import { Hono, type Context } from 'hono';
import type { Ability } from '../../access/abilities.js';
import { serviceContext } from '../../access/middleware.js';
import { can } from '../../access/policy.js';
import { Conflict, InvalidInput, type AppError } from '../../errors.js';
import type { AppEnv } from '../../http/env.js';
import { applyBatch, loadReferenceLists, prepareBatch } from '../../scenarios/apply-batch.js';
import { getScenario } from '../../scenarios/lifecycle.js';
import { hireGaps } from '../../scenarios/proposals.js';
import { listTypes } from '../../tenancy/settings.js';
import { checkSessionCsrf } from '../forms.js';
import { Notice, pageFix, Shell } from '../shell.js';
import type { Names } from '../live/context.js';
import { count, quoted } from '../live/format.js';
import { recordChoices, SELECT_MAX, UNIT_PATH_SEPARATOR, type Choice, type RecordKind } from '../live/options.js';
import { ofUnitTypes, SUGGESTIONS_IN_PAGE, suggestionsOf, suggestUrl } from './tray-suggest.js';
import { csrfOf, formError, formStatus } from '../live/page-errors.js';
import { Impact, ScenarioHead } from './overview.js';
import { scenarioDelta } from '../../scenarios/delta.js';
import {
  commandsFromForm,
  describeCommand,
  fieldAllowed,
  formFieldOf,
  ID_SEPARATOR,
  labelOfCommandField,
  laterStagedChange,
  lastStagedDay,
  leaverReportsReason,
  NO_TEAM_TYPE,
  opAllowed,
  parseStaged,
  reasonOf,
  referenceOf,
  removeStaged,
  stagedAbsence,
  stagedHires,
  stagedRecords,
  withStagedLeavers,
  withStagedNames,
  TRAY_OP_BY_NAME,
  TRAY_OPS,
  type Command,
  type Draft,
  type FieldKind,
  type TrayField,
  type TrayOp,
} from './tray-ops.js';
import { scenarioNames } from './values.js';
import type { ServiceContext } from '../../context.js';
import { openView } from '../../org/view.js';
import { isUuid } from '../../util/ids.js';
import { isIsoDate, today } from '../../org/dates.js';
import { onOrAfter } from '../../scenarios/ops/dated.js';
import { refusalIn } from '../../scenarios/ops/refusals.js';
import { compensationInEffect } from '../../org/cost.js';

/**
 * The change tray of a planning scenario: forms stage commands into a list kept in the page itself (hidden fields,
 * no server state); each staging is checked by the service as a dry run; Apply sends the list as one batch. A
 * failing command is named with its field, next to the tray, and the list is kept.
 */

interface TrayState {
  staged: Command[];
  /** The op whose form is open, with the values typed in. */
  open?: { op: string; draft: Draft };
  /** A problem with the form being staged (the field to correct). */
  opError?: { op: string; field: string | null; message: string };
  /** A problem with the staged list (a command the service refused), and which command. */
  trayError?: { index: number | null; field: string | null; error: AppError };
  notice?: string;
  /** Just applied changes from a later day: the delta to see is on this day. */
  appliedAsOf?: string;
}

export function trayRoutes(): Hono<AppEnv> {
  const web = new Hono<AppEnv>();
  web.get('/scenarios/:id/changes', async (c) => {
    const { op, ...draft } = c.req.query();
    const applied = Number(c.req.query('applied') || 0);
    const asOf = c.req.query('as_of');
    return trayPage(c, {
      appliedAsOf: applied && asOf && isIsoDate(asOf) ? asOf : undefined,
      staged: [],
      open: op && TRAY_OP_BY_NAME.has(op as TrayOp['op']) ? { op, draft: await withCurrentPay(serviceContext(c), c.req.param('id'), op, draft) } : undefined,
      notice: applied ? `Applied ${count(applied, 'change', 'changes')} to the scenario.` : undefined,
    });
  });

  web.post('/scenarios/:id/changes', async (c) => {
    const body = (await c.req.parseBody()) as Record<string, string | File>;
    await checkSessionCsrf(c, body.csrf);
    const draft: Draft = Object.fromEntries(Object.entries(body).filter((e): e is [string, string] => typeof e[1] === 'string'));
    const ctx = serviceContext(c);
    const id = c.req.param('id');
    let staged: Command[];
    try {
      staged = parseStaged(body.staged);
    } catch (error) {
      const known = formError(error);
      if (!known) throw error;
      return trayPage(c, { staged: [], trayError: { index: null, field: null, error: known } }, 400);
    }
    const action = draft.action ?? '';
    if (action.startsWith('remove:')) {
      const removed = removeStaged(staged, Number(action.slice('remove:'.length)));
      const also = removed.dependents ? `, with ${count(removed.dependents, 'change', 'changes')} about what it created` : '';
      // What stays may no longer apply without it (a leaver's report moved back to them): said now, not at Apply.
      const broken = await trayRefusal(ctx, id, removed.staged);
      return trayPage(c, { staged: removed.staged, notice: `Removed from the tray${also}.`, trayError: broken ?? undefined });
    }
    if (action === 'apply') {
      // The tray was shown against an earlier state of the scenario: changes were applied to it since — by someone
      // else, or this very tray, from a page the browser went back to (applying it again would hire everyone twice).
      const seen = typeof body.revision === 'string' ? Number(body.revision) : null;
      if (seen !== null && staged.length && seen !== (await getScenario(ctx, id)).revision) {
        const changed = new Conflict(
          'Changes were applied to this scenario since this tray was shown — by someone else, or this tray itself from a page your browser went back to. Nothing was applied now.',
          'Check the staged list against the scenario’s delta; apply again if it is still wanted.',
        );
        return trayPage(c, { staged, trayError: { index: null, field: null, error: changed } }, 409);
      }
      try {
        await applyBatch(ctx, id, staged);
      } catch (error) {
        const known = formError(error);
        if (!known) throw error;
        return trayPage(c, { staged, trayError: { ...locate(known), error: known } }, formStatus(known));
      }
      // Its delta is then shown on the day the last change takes effect, as the tray's preview was.
      const asOf = lastStagedDay(staged);
      return c.redirect(`/scenarios/${id}/changes?applied=${staged.length}${asOf ? `&as_of=${asOf}` : ''}`, 303);
    }
    const spec = TRAY_OP_BY_NAME.get(draft.op as TrayOp['op']);
    if (!spec) return trayPage(c, { staged, trayError: { index: null, field: null, error: unknownOp() } }, 400);
    const unresolved = await resolveTypedNames(knownRecords(c, id), spec, draft, staged);
    if (unresolved) return trayPage(c, { staged, open: { op: spec.op, draft }, opError: { op: spec.op, ...unresolved } }, 400);
    const built = commandsFromForm(spec, draft, (a) => can(ctx.principal, a), staged);
    if (!('commands' in built)) {
      return trayPage(c, { staged, open: { op: spec.op, draft }, opError: { op: spec.op, field: built.field, message: built.message } }, 400);
    }
    const superseded = await laterChangeOfLeaver(ctx, id, built.commands[0]!, staged);
    if (superseded) {
      const field = spec.fields.find((f) => f.name === 'date')!;
      return trayPage(c, { staged, open: { op: spec.op, draft }, opError: { op: spec.op, field: field.name, message: `${field.label}: ${superseded}` } }, 400);
    }
    const moved = await reportsMoved(ctx, id, spec, draft, staged, built.commands[0]!);
    const next = [...staged, ...moved, ...built.commands];
    try {
      await prepareBatch(ctx, id, next);
    } catch (error) {
      const known = formError(error);
      if (!known) throw error;
      const where = locate(known);
      if (where.index === null || where.index >= staged.length) {
        // The form's own change, or its companion (a hire's pay): the field of this form it came from.
        // The form's reports moved first (their new manager is the form's field), then its own change and companion.
        const part = (where.index ?? staged.length) - staged.length - moved.length;
        const field = part < 0 ? spec.fields.find((f) => f.name === 'reports_to') : where.field ? formFieldOf(spec, part, where.field) : undefined;
        // Named by the field's label, as the form's own checks do ("FTE: must be from 0.01 to 3.00…"); an actor the
        // tray itself makes absent on the day (a staged deactivation, a staged hire starting later) said so.
        const reason = (await trayReason(ctx, id, known, next[where.index ?? -1], where.field, staged)) ?? reasonOf(known);
        const message = where.field ? `${field?.label ?? where.field}: ${reason}` : reason;
        const reportsLeft = part === 0 && where.field === 'actor_id' ? await reportsStillLeft(ctx, id, spec, known, next[where.index!]!, staged) : null;
        if (reportsLeft) return trayPage(c, { staged, open: { op: spec.op, draft }, opError: { op: spec.op, ...reportsLeft } }, formStatus(known));
        return trayPage(c, { staged, open: { op: spec.op, draft }, opError: { op: spec.op, field: field?.name ?? where.field, message } }, formStatus(known));
      }
      return trayPage(c, { staged, open: { op: spec.op, draft }, trayError: { ...where, error: known } }, formStatus(known));
    }
    return trayPage(c, { staged: next, open: { op: spec.op, draft: {} }, notice: 'Added to the tray. Apply the tray to save it in the scenario.' });
  });
  return web;
}

/**
 * The Change pay form opened for an actor (an actor page's "Plan a pay change") starts from the kind and currency of
 * the pay they have today in the scenario — a contractor's day rate in USD, not the form's first choice, an annual
 * salary in the reporting currency, which would turn their day rate into a salary. What the link gives is kept.
 */
async function withCurrentPay(ctx: ServiceContext, scenarioId: string, op: string, draft: Draft): Promise<Draft> {
  const actorId = draft.actor_id?.trim();
  if (op !== 'set_compensation' || !actorId || draft.kind || draft.currency || !can(ctx.principal, 'costs.read')) return draft;
  let pay;
  try {
    pay = compensationInEffect((await openView(ctx, { scenarioId })).graph, actorId, today());
  } catch (error) {
    if (formError(error)) return draft; // the page says what is wrong with the scenario
    throw error;
  }
  return pay ? { ...draft, kind: pay.kind, currency: pay.currency } : draft;
}

/** Why the staged list would be refused as it is (the failing change and field), or null when it applies. */
async function trayRefusal(ctx: ServiceContext, scenarioId: string, staged: Command[]): Promise<TrayState['trayError'] | null> {
  if (!staged.length) return null;
  try {
    await prepareBatch(ctx, scenarioId, staged);
    return null;
  } catch (error) {
    const known = formError(error);
    if (!known) throw error;
    return { ...locate(known), error: known };
  }
}

/**
 * The changes that move a leaver's direct reports to the manager the Deactivate form names (`reports_to`), staged
 * before the deactivation, which the service refuses while anyone still reports to them: one set_manager per report
 * whose line runs on or after the day, from the day (or from that line's start when it starts later).
 */
async function reportsMoved(ctx: ServiceContext, scenarioId: string, spec: TrayOp, draft: Draft, staged: Command[], own: Command): Promise<Command[]> {
  const to = referenceOf(draft.reports_to ?? '');
  const leaver = typeof own.actor_id === 'string' ? own.actor_id : '';
  if (spec.op !== 'deactivate_actor' || !to || !leaver) return [];
  let graph;
  // Hires staged in the tray get fresh ids on every run: they are named by their `$<ref>`, the leaver and reports alike.
  const refOf = new Map<string, string>();
  try {
    if (staged.length) {
      const batch = await prepareBatch(ctx, scenarioId, staged);
      graph = batch.graph;
      for (const c of batch.created) if (c.family === 'actors' && c.ref) refOf.set(c.id, `$${c.ref}`);
    } else {
      graph = (await openView(ctx, { scenarioId })).graph;
    }
  } catch (error) {
    if (formError(error)) return []; // the tray's own error is shown when it is staged
    throw error;
  }
  const leaverId = [...refOf].find(([, ref]) => ref === leaver.trim())?.[0] ?? leaver;
  const day = typeof own.date === 'string' ? own.date : today();
  return [...graph.reportingLines.values()]
    .filter((l) => {
      const report = graph.actors.get(l.actorId);
      return l.managerId === leaverId && onOrAfter(l, day) && report !== undefined && onOrAfter(report, day);
    })
    .map((l) => {
      const from = l.validFrom !== null && l.validFrom > day ? l.validFrom : own.date;
      return { op: 'set_manager', actor_id: refOf.get(l.actorId) ?? l.actorId, manager_id: to, ...(from ? { date: from } : {}) };
    });
}

/**
 * A deactivation dated before a change the tray already stages about the same actor (a placement move, a pay or
 * manager change from a later day): the service takes the batch and the later change silently comes to nothing, so
 * the deactivation is refused on its date, naming that change, with what to do. Null when there is none.
 */
async function laterChangeOfLeaver(ctx: ServiceContext, scenarioId: string, own: Command, staged: Command[]): Promise<string | null> {
  if (own.op !== 'deactivate_actor' || typeof own.actor_id !== 'string' || !staged.length) return null;
  const day = typeof own.date === 'string' ? own.date : today();
  const { graph } = await openView(ctx, { scenarioId });
  const later = laterStagedChange(own.actor_id, day, staged, (p) => graph.placements.get(p)?.actorId);
  if (!later) return null;
  const names = withStagedNames(await scenarioNames(ctx, scenarioId), staged);
  const change = describeCommand(staged[later.index]!, names, can(ctx.principal, 'costs.read'));
  return `change ${later.index + 1} (${change}) is staged for a later day, when ${names.actor(own.actor_id)} would no longer be active: remove that change, or date the deactivation on or after ${later.day}.`;
}

/**
 * A leaver refused because people still report to them, on the Deactivate form (its reports' new manager left
 * empty): said on that field — the form's own way out — rather than as 'give them another manager first' on the
 * actor, which sent planners to a Change a manager form per report. Null for any other refusal.
 */
async function reportsStillLeft(ctx: ServiceContext, scenarioId: string, spec: TrayOp, error: AppError, own: Command, staged: Command[]): Promise<{ field: string; message: string } | null> {
  const field = spec.fields.find((f) => f.name === 'reports_to');
  if (spec.op !== 'deactivate_actor' || refusalIn(error)?.reason !== 'still_manages' || !field || typeof own.actor_id !== 'string') return null;
  const who = withStagedNames(await scenarioNames(ctx, scenarioId), staged).actor(own.actor_id);
  return { field: field.name, message: `${field.label}: ${leaverReportsReason(error, who)!}` };
}

/**
 * The tray's own reason for a refused actor ("that actor is not active on <day>" about one the tray deactivates, or a
 * hire it stages from a later day) or unit or position (one it creates from a later day), with what to do; null when
 * the service's words stand.
 */
async function trayReason(ctx: ServiceContext, scenarioId: string, error: AppError, command: Command | undefined, field: string | null, staged: Command[]): Promise<string | null> {
  const refused = refusalIn(error);
  const named = command && field ? command[field] : undefined;
  if (refused?.reason !== 'not_active' || refused.kind === 'placement' || typeof named !== 'string') return null;
  const names = withStagedNames(await scenarioNames(ctx, scenarioId), staged);
  if (refused.kind === 'actor') return stagedAbsence(named, refused.day, staged, names);
  // A unit or position the tray creates from a later day.
  const created = staged.find((c) => typeof c.ref === 'string' && `$${c.ref}` === named.trim() && typeof c.date === 'string' && c.date > refused.day);
  const name = refused.kind === 'position' ? names.position(named) : names.unit(named);
  return created ? `${name} is staged in this tray from ${created.date as string}: date this change on or after that day.` : null;
}

/**
 * What the staged list would do to the scenario's headline figures (the same preview the MCP plan step gives; null
 * without org-metrics.read), and what those figures leave out about its new actors (the service's `hireGaps`, as the
 * MCP preview's notes: no pay — only for those who may read costs —, no manager). Null when the list does not apply
 * as it is (its error is shown instead).
 */
async function previewOf(ctx: ServiceContext, scenarioId: string, staged: Command[]): Promise<TrayPreview | null> {
  let batch;
  try {
    batch = await prepareBatch(ctx, scenarioId, staged);
  } catch (error) {
    if (formError(error)) return null;
    throw error;
  }
  const gaps = hireGaps(ctx, batch);
  if (!can(ctx.principal, 'org-metrics.read')) return { total: null, gaps };
  const touched = batch.edits.map((e) => ({ family: e.family, recordId: e.recordId }));
  // Figures of today would leave out what the tray stages from a later day (a hire starting next year read
  // 'Headcount 0'): they are taken on the day its last change takes effect, when that is later.
  const asOf = lastStagedDay(staged);
  const delta = await scenarioDelta(ctx, { scenarioId, asOf }, { target: batch.graph, before: batch.before, alsoCompare: touched });
  return { total: delta.metrics.total, gaps, asOf };
}

interface TrayPreview {
  total: Record<string, unknown> | null;
  gaps: ReturnType<typeof hireGaps>;
  /** The day the figures are taken on, when later than today. */
  asOf?: string | null;
}

/** The preview's notes in the tray's own words: what the figures leave out, and which form fixes it. */
function HireNotes(props: { gaps: TrayPreview['gaps'] }) {
  const { unpaid, unmanaged } = props.gaps;
  const named = (list: string[]) => list.map((n) => quoted(n)).join(', ');
  if (!unpaid?.length && !unmanaged.length) return null;
  return (
    <div class="warning" id="tray-notes">
      {unpaid?.length ? (
        <p>
          {unpaid.length === 1 ? 'This new actor has' : `These ${unpaid.length} new actors have`} no pay: {named(unpaid)}. The cost figures leave them
          out (they count under “Actors without pay”, not in the cost change), so the cost impact is understated. Give{' '}
          {unpaid.length === 1 ? 'them' : 'each'} pay before applying: choose {unpaid.length === 1 ? 'them' : 'each'} in{' '}
          <a href="#op-set_compensation">Change pay</a>, where staged hires are offered.
        </p>
      ) : null}
      {unmanaged.length ? (
        <p>
          {unmanaged.length === 1 ? 'This new actor has' : `These ${unmanaged.length} new actors have`} no manager: {named(unmanaged)}. Each starts a
          reporting line of its own (layer 1), which moves layers and spans. To place them, choose them in{' '}
          <a href="#op-set_manager">Change a manager</a>, where staged hires are offered.
        </p>
      ) : null}
    </div>
  );
}

function unknownOp(): AppError {
  return new InvalidInput('op', 'choose one of the kinds of change on this page');
}

/** Which staged command and field a service error names (`changes[2].allocation_pct`). */
function locate(error: AppError): { index: number | null; field: string | null } {
  const field = typeof error.details.field === 'string' ? error.details.field : '';
  const match = /^changes\[(\d+)\](?:\.(.+))?$/.exec(field);
  return match ? { index: Number(match[1]), field: match[2] ?? null } : { index: null, field: null };
}


type RefKind = RecordKind;

/** What the tray stages that a reference field of this kind may name (hires, new units, new positions), offered first. */
function stagedChoices(kind: RefKind, staged: readonly Command[]): Choice[] {
  if (kind === 'actor') return withStagedLeavers(stagedHires(staged), staged);
  if (kind === 'unit') return stagedRecords(staged).unit;
  if (kind === 'position' || kind === 'vacancy') return stagedRecords(staged).position;
  return [];
}
/** `staged`: what the tray stages (hires, units, positions), offered in reference fields before the organisation's records (`optionsOf`). */
type Choices = Record<RefKind | 'currency' | 'department_type' | 'team_type', readonly Choice[]> & { staged: Record<RefKind, Choice[]> };

/** The scenario's records a reference field may name, by kind: all of them, read once per request however many fields ask. */
type KnownRecords = (kind: RefKind) => Promise<readonly Choice[]>;

const recordsOfRequest = new WeakMap<Context<AppEnv>, Map<string, Promise<readonly Choice[]>>>();

/**
 * The scenario's records by kind, read at most once in a request: a staging reads them to resolve a typed name, then
 * again to render the page's forms. Every record, however large the organisation (`recordChoices`), so that a typed
 * name is found whoever it names. Only the organisation's records: what the tray stages changes within the request,
 * and is added where used (`stagedChoices`).
 */
function knownRecords(c: Context<AppEnv>, scenarioId: string): KnownRecords {
  let lists = recordsOfRequest.get(c);
  if (!lists) recordsOfRequest.set(c, (lists = new Map()));
  const cached = lists;
  return (kind) => {
    const key = `${scenarioId}:${kind}`;
    let list = cached.get(key);
    if (!list) cached.set(key, (list = recordChoices(serviceContext(c), { scenarioId }, kind)));
    return list;
  };
}

/**
 * Long lists are typed with suggestions; a person who types a name without picking a suggestion ("Emily Lopez")
 * means the one record of that name: the draft gets its id. Several or none: the field to correct, and why.
 */
async function resolveTypedNames(known: KnownRecords, spec: TrayOp, draft: Draft, staged: Command[]): Promise<{ field: string; message: string } | null> {
  for (const field of spec.fields) {
    const raw = (draft[field.name] ?? '').trim();
    // `$<ref>`: a record staged earlier in the tray (a hire), which the service resolves.
    if (!REF_KINDS.has(field.kind) || !raw || raw.includes(ID_SEPARATOR) || isUuid(raw) || raw.startsWith('$')) continue;
    const typed = raw.toLowerCase();
    const kind = field.kind as RefKind;
    // The very list the page offered (a leaver labelled as such), so that a suggestion picked as it reads names its record.
    const records = await known(kind);
    const choices = offered(field, [...stagedChoices(kind, staged), ...(kind === 'actor' ? withStagedLeavers(records, staged) : records)]);
    const matches = typedMatches(choices, typed);
    if (matches.length === 1) {
      draft[field.name] = matches[0]!.value;
      continue;
    }
    const what = matches.length ? `${quoted(raw)} matches ${matches.length}` : `nothing here matches ${quoted(raw)}`;
    return { field: field.name, message: `${field.label}: ${what}; pick one of the suggestions.` };
  }
  return null;
}

/**
 * The choices a typed text (lower case) names, the closest first found: the whole label; a whole name followed by
 * what the label adds (“Emily Lopez · Engineer”, “Lena Lead (staged hire)”), so that a name is not taken for the
 * start of a longer one (“Emily Lopez Junior”); a unit's own name, its path aside (“Platform” for “Acme › Engineering ›
 * Platform (team)”: the page lists only the first units of a long list, and a path is not what one types); else the
 * labels it begins with a word.
 */
function typedMatches(choices: readonly Choice[], typed: string): Choice[] {
  const tiers = [
    (label: string) => label === typed,
    (label: string) => label.startsWith(`${typed} · `) || label.startsWith(`${typed} (`),
    (label: string) => label.includes(UNIT_PATH_SEPARATOR) && label.slice(label.lastIndexOf(UNIT_PATH_SEPARATOR) + UNIT_PATH_SEPARATOR.length).startsWith(`${typed} (`),
    (label: string) => label.startsWith(`${typed} `),
  ];
  for (const tier of tiers) {
    const found = choices.filter((o) => tier(o.label.toLowerCase()));
    if (found.length) return found;
  }
  return [];
}

async function trayPage(c: Context<AppEnv>, state: TrayState, status: 200 | 400 | 403 | 409 = 200) {
  const ctx = serviceContext(c);
  const id = c.req.param('id')!;
  const scenario = await getScenario(ctx, id);
  const has = (a: Ability) => can(ctx.principal, a);
  const writable = scenario.editable && has('scenarios.write');
  const names = withStagedNames(await scenarioNames(ctx, scenario.id), state.staged);
  const known = knownRecords(c, scenario.id);
  const choices: Choices | null = writable
    ? {
        unit: await known('unit'),
        actor: withStagedLeavers(await known('actor'), state.staged),
        staged: {
          actor: stagedChoices('actor', state.staged),
          unit: stagedChoices('unit', state.staged),
          placement: [],
          position: stagedChoices('position', state.staged),
          vacancy: stagedChoices('vacancy', state.staged),
        },
        placement: await known('placement'),
        position: await known('position'),
        vacancy: await known('vacancy'),
        currency: [...(await loadReferenceLists(ctx)).activeCurrencies].sort().map((code) => ({ value: code, label: code })),
        department_type: (await listTypes(ctx, 'department')).map((t) => ({ value: t.id, label: t.name })),
        team_type: (await listTypes(ctx, 'team')).map((t) => ({ value: t.id, label: t.name })),
      }
    : null;
  const ops = TRAY_OPS.filter((o) => opAllowed(o.op, has));
  const hidden = TRAY_OPS.filter((o) => !opAllowed(o.op, has));
  const csrf = csrfOf(c);
  const stagedJson = JSON.stringify(state.staged);
  const preview = writable && state.staged.length ? await previewOf(ctx, id, state.staged) : null;
  const applied = Object.values(scenario.change_counts).reduce((n, ops) => n + Object.values(ops).reduce((a, b) => a + b, 0), 0);
  return c.html(
    <Shell c={c} title={`Change tray · ${scenario.name}`} active="/scenarios" wide>
      <ScenarioHead scenario={scenario} active="changes" canEdit={can(c.var.principal!, 'scenarios.write')} />
      {state.notice ? (
        <Notice kind="ok">
          {state.notice}{' '}
          {state.notice.startsWith('Applied') ? (
            state.appliedAsOf ? (
              <a href={`/scenarios/${scenario.id}/delta?as_of=${state.appliedAsOf}`}>See the delta on {state.appliedAsOf}</a>
            ) : (
              <a href={`/scenarios/${scenario.id}/delta`}>See the delta</a>
            )
          ) : null}
        </Notice>
      ) : null}
      {!writable && (state.opError || state.trayError) ? (
        <Notice kind="error">{state.trayError?.error.message ?? state.opError?.message}</Notice>
      ) : null}
      {!writable ? (
        <section class="card">
          <h2>Read-only</h2>
          <p>
            {scenario.editable
              ? 'Your role can look at this scenario but not change it.'
              : `This ${scenario.kind === 'planning' ? 'archived scenario' : scenario.kind === 'snapshot' ? 'snapshot' : 'applied scenario'} cannot be changed.`}
            {!scenario.editable && has('scenarios.write') ? (
              scenario.kind === 'planning' ? (
                <>
                  {' '}
                  <a href={`/scenarios/${scenario.id}#actions-title`}>Unarchive it</a> to change it again.
                </>
              ) : (
                <>
                  {' '}
                  To plan further changes, <a href="/scenarios#create-title">create a scenario</a>.
                </>
              )
            ) : null}
          </p>
        </section>
      ) : (
        <>
          <Tray scenarioId={scenario.id} revision={scenario.revision} csrf={csrf} staged={state.staged} stagedJson={stagedJson} names={names} teamTypes={new Map(choices!.team_type.map((t) => [t.value, t.label]))} showMoney={has('costs.read')} error={state.trayError} preview={preview} currency={ctx.tenant.reportingCurrency} />
          {applied ? (
            <p class="hint">
              This scenario already has {count(applied, 'changed record', 'changed records')}. <a href={`/scenarios/${scenario.id}/delta`}>Review the delta</a>,
              where a change can be discarded too.
            </p>
          ) : (
            <p class="hint">No change is saved in this scenario yet: what you apply from the tray shows in its delta.</p>
          )}
          <section aria-labelledby="stage-title">
            <h2 id="stage-title">Stage a change</h2>
            {suggestionLists(ops, has, choices!).length ? (
              // The guidance a typed field's short placeholder leaves out, said once and read with each such field.
              <p class="hint" id={TYPED_HINT_ID}>
                A field reading “{TYPED_PLACEHOLDER}” suggests records as you type part of a name: pick one, or paste a record’s id.
              </p>
            ) : null}
            {hidden.length ? (
              <p class="hint">Not shown, because your role lacks an ability they need: {hidden.map((o) => o.title.toLowerCase()).join(', ')}.</p>
            ) : null}
            <div class="ops">
              {ops.map((spec) => (
                <OpForm
                  spec={spec}
                  scenarioId={scenario.id}
                  csrf={csrf}
                  stagedJson={stagedJson}
                  choices={choices!}
                  has={has}
                  open={state.open?.op === spec.op}
                  draft={state.open?.op === spec.op ? state.open.draft : {}}
                  error={state.opError?.op === spec.op ? state.opError : undefined}
                  currency={ctx.tenant.reportingCurrency}
                />
              ))}
            </div>
            {suggestionLists(ops, has, choices!).map(([listId, entries]) => (
              <datalist id={listId}>
                {entries.map(({ text, staged }) => (
                  <option value={text} data-staged={staged ? '' : undefined} />
                ))}
              </datalist>
            ))}
          </section>
        </>
      )}
    </Shell>,
    status,
  );
}

/**
 * The suggestion lists the shown forms' long reference fields type into (see `listIdOf`), each once: what the tray
 * stages, then the first `SUGGESTIONS_IN_PAGE` records — the rest are asked for as the person types (app.js, the
 * field's `data-suggest`), or typed in full.
 */
function suggestionLists(ops: TrayOp[], has: (a: Ability) => boolean, choices: Choices): [string, { text: string; staged: boolean }[]][] {
  const lists = new Map<string, { text: string; staged: boolean }[]>();
  for (const field of ops.flatMap((o) => o.fields)) {
    if (!REF_KINDS.has(field.kind) || !fieldAllowed(field, has) || lists.has(listIdOf(field))) continue;
    if (!typed(field, choices)) continue;
    // Read as the whole list reads them: a label two records share carries its id, in the page as in a search.
    // What the tray stages is marked: app.js keeps it in the list when it fills in what the organisation has.
    const staged = offered(field, choices.staged[field.kind as RefKind]).length;
    const texts = suggestionsOf(optionsOf(field, choices)).slice(0, staged + SUGGESTIONS_IN_PAGE);
    lists.set(listIdOf(field), texts.map((text, i) => ({ text, staged: i < staged })));
  }
  return [...lists];
}

function Tray(props: {
  scenarioId: string;
  /** The scenario's revision the page shows: Apply refuses a tray shown against an earlier one. */
  revision: number;
  csrf: string;
  staged: Command[];
  stagedJson: string;
  names: Names;
  teamTypes: ReadonlyMap<string, string>;
  showMoney: boolean;
  error: TrayState['trayError'];
  preview: TrayPreview | null;
  currency: string;
}) {
  const { staged, error } = props;
  return (
    <section class="card tray" aria-labelledby="tray-title" data-unsaved={staged.length ? '' : undefined}>
      <h2 id="tray-title">Tray: {count(staged.length, 'staged change', 'staged changes')}</h2>
      {staged.length ? (
        // Kept in this page's forms, not on the server: links away drop them (with JavaScript the browser asks first).
        <p class="hint" id="tray-kept">
          Staged changes are kept only on this page until you apply them: following a link to another page, or reloading this one, drops them. Apply
          them first to keep them in the scenario.
        </p>
      ) : null}
      {error ? (
        <div class="notice error" role="alert" id="tray-error">
          {error.index !== null ? (
            <p>
              <strong>
                Change {error.index + 1}
                {staged[error.index] ? ` (${TRAY_OP_BY_NAME.get(staged[error.index]!.op as TrayOp['op'])?.title ?? staged[error.index]!.op})` : ''}
                {error.field ? (
                  <>
                    , {labelOfCommandField(staged[error.index]?.op ?? '', error.field)} (<code>{error.field}</code>)
                  </>
                ) : null}
                :
              </strong>{' '}
              {reasonOf(error.error)}
            </p>
          ) : (
            <p>{error.error.message}</p>
          )}
          {pageFix(error.error) ? <p class="hint">{pageFix(error.error)}</p> : null}
          {error.error.code === 'conflict' ? null : <p class="hint">Nothing was saved. Remove or correct the change, then apply again.</p>}
        </div>
      ) : null}
      {staged.length === 0 ? (
        <p class="empty">Nothing staged yet. Use the forms below to stage changes, then apply them together.</p>
      ) : (
        <form method="post" action={`/scenarios/${props.scenarioId}/changes`}>
          <input type="hidden" name="csrf" value={props.csrf} />
          <input type="hidden" name="staged" value={props.stagedJson} />
          <input type="hidden" name="revision" value={String(props.revision)} />
          <ol class="staged">
            {staged.map((command, i) => (
              <li class={error?.index === i ? 'failing' : undefined} aria-invalid={error?.index === i ? 'true' : undefined} aria-describedby={error?.index === i ? 'tray-error' : undefined}>
                <span>{describeCommand(command, props.names, props.showMoney, props.teamTypes)}</span>
                <button type="submit" name="action" value={`remove:${i}`} class="link" aria-label={`Remove change ${i + 1}`}>
                  Remove
                </button>
              </li>
            ))}
          </ol>
          {props.preview?.total ? (
            <Impact
              id="preview-title"
              total={props.preview.total}
              title={props.preview.asOf ? `If you apply the tray, on ${props.preview.asOf} (when its last change takes effect), against the scenario as it is then` : 'If you apply the tray, against the scenario as it is'}
              currency={props.currency}
            />
          ) : null}
          {props.preview ? <HireNotes gaps={props.preview.gaps} /> : null}
          <div class="actions">
            <button type="submit" name="action" value="apply">
              Apply {count(staged.length, 'change', 'changes')}
            </button>
            <a href={`/scenarios/${props.scenarioId}/changes`} data-confirm={staged.length === 1 ? 'Discard the staged change? It is not saved yet.' : `Discard all ${staged.length} staged changes? None of them is saved yet.`}>
              Discard all
            </a>
          </div>
        </form>
      )}
    </section>
  );
}

function OpForm(props: {
  spec: TrayOp;
  scenarioId: string;
  csrf: string;
  stagedJson: string;
  choices: Choices;
  has: (a: Ability) => boolean;
  open: boolean;
  draft: Draft;
  error?: { field: string | null; message: string };
  currency: string;
}) {
  const { spec, error } = props;
  const errorId = `op-${spec.op}-error`;
  return (
    <details id={`op-${spec.op}`} class="card op" open={props.open || undefined}>
      <summary>
        <h3>{spec.title}</h3>
      </summary>
      {error ? (
        <p class="notice error" role="alert" id={errorId}>
          {error.message}
        </p>
      ) : null}
      <form method="post" action={`/scenarios/${props.scenarioId}/changes#op-${spec.op}`} class="grid">
        <input type="hidden" name="csrf" value={props.csrf} />
        <input type="hidden" name="staged" value={props.stagedJson} />
        <input type="hidden" name="op" value={spec.op} />
        {spec.fields
          .filter((f) => fieldAllowed(f, props.has))
          .map((f) => (
            <FieldInput
              field={f}
              scenarioId={props.scenarioId}
              id={`${spec.op}-${f.name}`}
              value={props.draft[f.name] ?? ''}
              choices={props.choices}
              invalid={error?.field === f.name}
              errorId={errorId}
              currency={props.currency}
            />
          ))}
        <div>
          <button type="submit" name="action" value="stage">
            Add to tray
          </button>
        </div>
      </form>
    </details>
  );
}

const REF_KINDS = new Set<FieldKind>(['unit', 'actor', 'placement', 'position', 'vacancy']);

/** The choices a reference field offers: for unit fields naming types, only units of those types. */
function offered(field: TrayField, choices: readonly Choice[]): readonly Choice[] {
  return ofUnitTypes(choices, field.unitTypes);
}

/**
 * What a reference field offers: what the tray stages first — hires (their pay or manager, or a manager for another
 * hire, before they exist), new units (to move or hire people into), new positions (to fill) —, then the
 * organisation's records.
 */
function optionsOf(field: TrayField, choices: Choices): readonly Choice[] {
  const kind = field.kind as RefKind;
  return [...offered(field, choices.staged[kind]), ...offered(field, choices[kind])];
}

/**
 * Up to this many records a field naming a person, a placement or a position is a dropdown; past it, it is typed
 * with suggestions the page gives once. A dropdown repeats its whole list in every form that names such a record — a
 * person is named in about ten — which made the tray of a 300-person organisation weigh several hundred KB. Unit fields
 * keep dropdowns up to `SELECT_MAX`: their labels are paths ("Acme › Sales › EMEA (team)"), which a typed unit name
 * would not match.
 */
export const TRAY_SELECT_MAX = 50;

/**
 * Whether a reference field is typed with suggestions rather than chosen from a dropdown: decided by the
 * organisation's records only, so that staging a hire does not turn a dropdown into a typed field mid-session.
 */
function typed(field: TrayField, choices: Choices): boolean {
  return offered(field, choices[field.kind as RefKind]).length > (field.kind === 'unit' ? SELECT_MAX : TRAY_SELECT_MAX);
}

/**
 * A typed reference field's placeholder: short, so it fits the field at every width; the rest (pick a suggestion or
 * paste an id) is the tray's hint `TYPED_HINT_ID`, which each such field is described by.
 */
const TYPED_PLACEHOLDER = 'Type to search';
const TYPED_HINT_ID = 'typed-fields-hint';

/** The suggestion list a long reference field types into: one per kind, and per set of unit types. */
function listIdOf(field: TrayField): string {
  return field.unitTypes ? `list-${field.kind}-${field.unitTypes.join('-')}` : `list-${field.kind}`;
}

function FieldInput(props: { field: TrayField; scenarioId: string; id: string; value: string; choices: Choices; invalid: boolean; errorId: string; currency: string }) {
  const { field, id, value } = props;
  const hintId = field.hint ? `${id}-hint` : undefined;
  const describedBy = [props.invalid ? props.errorId : null, hintId].filter(Boolean).join(' ') || undefined;
  const common = {
    id,
    name: field.name,
    required: field.required || undefined,
    'aria-invalid': props.invalid ? 'true' : undefined,
    'aria-describedby': describedBy,
  };
  let control;
  if (REF_KINDS.has(field.kind)) {
    const options = optionsOf(field, props.choices);
    // An id handed in by a link (an actor page's "Move to another unit") reads as its suggestion, not a bare id.
    const typedField = typed(field, props.choices);
    const known = typedField && value.trim() ? options.findIndex((o) => o.value === value.trim()) : -1;
    control =
      typedField ? (
        <input
          {...common}
          list={listIdOf(field)}
          data-suggest={suggestUrl(props.scenarioId, field.kind as RefKind, field.unitTypes)}
          value={known >= 0 ? suggestionsOf(options)[known] : value}
          placeholder={TYPED_PLACEHOLDER}
          aria-describedby={[describedBy, TYPED_HINT_ID].filter(Boolean).join(' ')}
          autocomplete="off"
        />
      ) : (
        <select {...common}>
          <option value="">{field.required ? 'Choose…' : (field.emptyLabel ?? 'None')}</option>
          {options.map((o) => (
            <option value={o.value} selected={o.value === value}>
              {o.label}
            </option>
          ))}
        </select>
      );
    if (options.length === 0 && field.required) {
      control = (
        <>
          {control}
          <span class="hint">Nothing to choose from in this scenario.</span>
        </>
      );
    }
  } else if (field.kind === 'department_type') {
    // Required for a department only (the service says so when missing); a team leaves it empty.
    control = (
      <select {...common}>
        <option value="">{props.choices.department_type.length ? (field.emptyLabel ?? 'None (a team)') : 'No department types yet (see settings)'}</option>
        {props.choices.department_type.map((o) => (
          <option value={o.value} selected={o.value === value}>
            {o.label}
          </option>
        ))}
      </select>
    );
  } else if (field.kind === 'team_type') {
    // Changing a team: empty keeps its type, "No team type" clears it. Creating one: empty is none (emptyLabel).
    control = (
      <select {...common}>
        <option value="">{field.emptyLabel ?? 'No change'}</option>
        {field.emptyLabel ? null : (
          <option value={NO_TEAM_TYPE} selected={value === NO_TEAM_TYPE}>
            No team type
          </option>
        )}
        {props.choices.team_type.map((o) => (
          <option value={o.value} selected={o.value === value}>
            {o.label}
          </option>
        ))}
      </select>
    );
  } else if (field.kind === 'choice' || field.kind === 'currency') {
    const options: [string, string][] = field.kind === 'currency' ? props.choices.currency.map((o) => [o.value, o.label]) : field.choices ?? [];
    const selected = value || (field.kind === 'currency' ? props.currency : '');
    control = (
      <select {...common}>
        {field.required || field.kind === 'currency' || field.companion ? null : <option value="">{field.emptyLabel ?? 'Default'}</option>}
        {options.map(([v, label]) => (
          <option value={v} selected={v === selected}>
            {label}
          </option>
        ))}
      </select>
    );
  } else if (field.kind === 'checkbox') {
    return (
      <div class="field check">
        <label for={id}>
          <input type="checkbox" id={id} name={field.name} checked={Boolean(value) || undefined} aria-describedby={describedBy} /> {field.label}
        </label>
        {field.hint ? <span class="hint" id={hintId}>{field.hint}</span> : null}
      </div>
    );
  } else {
    const type = field.kind === 'number' || field.kind === 'money' ? 'number' : field.kind === 'date' ? 'date' : field.kind === 'email' ? 'email' : 'text';
    control = (
      <input
        {...common}
        type={type}
        value={value}
        min={field.kind === 'money' ? 0 : field.min}
        max={field.max}
        step={field.kind === 'money' ? '0.01' : field.step}
        inputmode={field.kind === 'money' || field.kind === 'number' ? 'decimal' : undefined}
        maxlength={type === 'text' ? 200 : undefined}
      />
    );
  }
  return (
    <div class="field">
      <label for={id}>
        {field.label}
        {field.required ? null : <span class="hint"> ({field.neededWhen ?? 'optional'})</span>}
      </label>
      {control}
      {field.hint ? (
        <span class="hint" id={hintId}>
          {field.hint}
        </span>
      ) : null}
    </div>
  );
}
