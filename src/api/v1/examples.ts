/**
 * Examples for the OpenAPI document: every operation's JSON success body and request body gets an `example`, and
 * path parameters and view parameters get example values. Bodies are written from the route schemas (declared
 * `example`s first, then realistic values chosen by field name), with hand-written request bodies where a
 * generated one would not be a valid request. Used by /docs/api.json and the /docs/api page.
 */

type Json = Record<string, any>;

const IDS: Record<string, string> = {
  id: '3f6c1d2e-8a4b-4c9d-9e1f-2a3b4c5d6e7f',
  actor_id: '9b2e4f61-7c3d-4e8a-b1f2-3c4d5e6f7a8b',
  manager_id: '5a7b9c1d-2e3f-4a5b-8c6d-7e8f9a0b1c2d',
  org_unit_id: '1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f',
  parent_id: '0f1e2d3c-4b5a-4968-8776-655443322110',
  scenario_id: '7d8e9f0a-1b2c-4d3e-8f4a-5b6c7d8e9f0a',
  position_id: '2b3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d6e',
  placement_id: '4e5f6a7b-8c9d-4e0f-a1b2-c3d4e5f6a7b8',
  user_id: '6a7b8c9d-0e1f-4a2b-8c3d-4e5f6a7b8c9d',
  token_id: '8c9d0e1f-2a3b-4c4d-9e5f-6a7b8c9d0e1f',
  primary_org_unit_id: '1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f',
  // Who started an import run: a user's id.
  created_by: '6a7b8c9d-0e1f-4a2b-8c3d-4e5f6a7b8c9d',
};

/**
 * Fields sampled as null, whatever their schema's example: an open-ended record (`valid_to`), a scenario not archived,
 * promoted or submitted, a token never used or revoked. A sample showing them set read as a contradiction (an
 * active record that ended the day it started; an active scenario archived and promoted).
 */
const NULL_FIELDS = new Set(['valid_to', 'archived_at', 'promoted_at', 'submitted_at', 'revoked_at', 'last_used_at']);

/** Nested records that are someone or something else than the record they are in: their own ids and names. */
const NESTED: Record<string, Json> = {
  manager: { id: IDS.manager_id, display_name: 'Grace Hopper', title: 'Engineering Manager' },
  direct_reports: { id: '2d4f6a8b-0c1e-4f3a-9b5c-7d9e1f3a5b7c', display_name: 'Alan Turing', title: 'Backend Engineer' },
  primary_org_unit: { id: IDS.org_unit_id, type: 'team' },
  org_unit: { id: IDS.org_unit_id, type: 'team' },
  position: { id: IDS.position_id },
  placements: { id: IDS.placement_id, actor_id: IDS.id },
  compensation: { id: '5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9', actor_id: IDS.id },
  // An import run's file; the HRIS integration's last pull.
  file: { name: 'people.csv' },
  last_sync: { status: 'completed' },
  // What the example batch's third command (add_actor) created.
  created: { index: 2, family: 'actor', id: '0c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f' },
};

/**
 * The metrics' money figures, by name, in minor units: each its own, as the figures relate. Sampled alike they read
 * as if a month cost a year, and the vacant seats as much as the people in them: `vacant_seats_annual` is the one
 * vacant seat of the sample at the sample target salary (85,000.00) plus a 25 % burden.
 */
const FIGURES: Record<string, Json> = {
  monthly: { amount_minor: 708_333 },
  vacant_seats_annual: { amount_minor: 10_625_000 },
};

const STRINGS: Record<string, string> = {
  email: 'ada.lovelace@acme.test',
  display_name: 'Ada Lovelace',
  name: 'Platform',
  title: 'Staff Engineer',
  level: 'L6',
  currency: 'EUR',
  reporting_currency: 'EUR',
  code: 'PLT',
  slug: 'acme',
  plan: 'business',
  role: 'manager',
  credential: 'api_token',
  prefix: 'orgo_pat_k3J9',
  external_uid: 'E-1042',
  role_type: 'Backend',
  label: 'Platform',
  field: 'name',
  family: 'org_unit',
  op: 'change',
  kind: 'human',
  description: 'Split Platform into Core and Developer Experience',
  purpose: 'Runs the platform the product teams build on',
  cost_center: 'CC-ENG',
  next_cursor: 'WyJhZGEgbG92ZWxhY2UiLCIzZjZjMWQyZSJd',
  detail: 'Invalid limit: must be a whole number from 1 to 500',
  error: 'Validation failed',
  entity_type: 'actor',
  action: 'updated',
  category: 'model',
  principal_kind: 'api_token',
  client_name: 'Claude',
  source_hris: 'bamboohr',
  source_hris_id: '1042',
  user_email: 'ada.lovelace@acme.test',
  ability: 'org-units.read',
  unconvertible_currency: 'GBP',
  // Import runs and their rows: a CSV file, its columns and cells, what a quarantined row needs.
  sha256: '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
  delimiter: ',',
  file_name: 'people.csv',
  header: 'Email',
  value: 'ada.lovelace@acme.test',
  scenario_name: '2026-03 platform realignment',
  stage: 'placements',
  message: 'The file has no row under its header row.',
  fix: 'Add the manager to the file (or to Orgonaut) first, or leave manager_email empty.',
  // The HRIS integration (BambooHR) and its webhook.
  provider: 'bamboohr',
  subdomain: 'acme',
  base_url: 'https://api.bamboohr.com/api/gateway.php/acme',
  webhook_url: 'https://acme.orgonaut.co/api/v1/integrations/bamboohr/webhook/acme',
  api_key: '<the BambooHR API key>',
  webhook_secret: '<the webhook secret BambooHR signs with>',
  reason: 'no employee with this id in BambooHR',
};

const NUMBERS: Record<string, number> = {
  fte: 1,
  effective_fte: 1,
  planned_fte: 1,
  allocation_pct: 100,
  headcount: 42,
  robots: 1,
  agents: 2,
  managers: 6,
  reports: 36,
  ics: 36,
  layers: 4,
  average: 6,
  median: 6,
  ics_per_manager: 6,
  vacancy_rate: 0.0833,
  budgeted: 12,
  filled: 11,
  vacant: 1,
  amount_minor: 8_500_000,
  without_compensation: 0,
  revision: 3,
  live_version: 12,
  commands: 3,
  records_changed: 4,
  direct_reports: 5,
  depth: 2,
  index: 0,
  reporting_cycles: 0,
  // Placement checks: a few people placed for more or less than their whole capacity, no one unplaced.
  over_allocated: 1,
  under_allocated: 2,
  unplaced: 0,
  no_primary: 1,
  rate_to_reporting: 0.92,
  child_count: 2,
  narrow: 1,
  wide: 0,
  from: 40,
  to: 42,
  delta: 2,
  status: 400,
};

function stringFor(schema: Json, name: string | undefined): string {
  if (schema.format === 'date') return '2026-06-01';
  if (schema.format === 'date-time') return '2026-05-14T09:30:00.000Z';
  if (schema.format === 'uuid') return IDS.id!;
  if (name) {
    if (IDS[name]) return IDS[name]!;
    if (STRINGS[name]) return STRINGS[name]!;
    if (name.endsWith('_id')) return IDS.id!;
    if (name.endsWith('_at')) return '2026-05-14T09:30:00.000Z';
    if (name === 'as_of' || name.startsWith('valid_') || name === 'date') return '2026-06-01';
  }
  return 'string';
}

function numberFor(schema: Json, name: string | undefined, integer: boolean): number {
  if (name && NUMBERS[name] !== undefined) return NUMBERS[name]!;
  if (typeof schema.minimum === 'number') return schema.minimum;
  return integer ? 1 : 1.5;
}

/** A sample value for a JSON schema, following $refs (a schema already being expanded is cut: no endless trees). */
export function sampleOf(schema: Json | undefined, components: Json, name?: string, stack: string[] = []): unknown {
  const sample = sampleOfSchema(schema, components, name, stack);
  const nested = name ? (NESTED[name] ?? FIGURES[name]) : undefined;
  if (!nested) return sample;
  const fill = (value: unknown) => (value && typeof value === 'object' ? Object.assign(value, pick(nested, value as Json)) : value);
  return Array.isArray(sample) ? sample.map(fill) : fill(sample);
}

/** The entries of `values` whose keys `record` has. */
function pick(values: Json, record: Json): Json {
  return Object.fromEntries(Object.entries(values).filter(([key]) => key in record));
}

function sampleOfSchema(schema: Json | undefined, components: Json, name: string | undefined, stack: string[]): unknown {
  if (!schema || typeof schema !== 'object') return null;
  if (name && NULL_FIELDS.has(name) && allowsNull(schema, components)) return null;
  // Amounts in the examples are complete: no currency left unconverted.
  if (name && /(^|_)unconvertible$/.test(name)) return [];
  if ('example' in schema) return schema.example;
  if (typeof schema.$ref === 'string') {
    const ref = schema.$ref.split('/').pop()!;
    if (stack.includes(ref)) return undefined;
    return sampleOf(components[ref], components, name, [...stack, ref]);
  }
  const variants: Json[] | undefined = schema.anyOf ?? schema.oneOf;
  if (variants) {
    const first = variants.find((v) => v.type !== 'null') ?? variants[0];
    return sampleOf(first, components, name, stack);
  }
  if (Array.isArray(schema.allOf)) {
    return Object.assign({}, ...schema.allOf.map((part: Json) => sampleOf(part, components, name, stack) ?? {}));
  }
  if (Array.isArray(schema.enum)) return schema.enum[0];
  if ('const' in schema) return schema.const;
  const type = Array.isArray(schema.type) ? schema.type.find((t: string) => t !== 'null') : schema.type;
  if (Array.isArray(schema.type) && schema.type.includes('null') && name === 'next_cursor') return null;
  switch (type) {
    case 'object':
    case undefined: {
      if (schema.properties) {
        const out: Json = {};
        for (const [key, property] of Object.entries(schema.properties as Record<string, Json>)) {
          const value = sampleOf(property, components, key, stack);
          if (value !== undefined) out[key] = value;
        }
        return out;
      }
      if (schema.additionalProperties && typeof schema.additionalProperties === 'object') {
        // A row's mapped fields are keyed by field (`email`); span buckets by their range.
        const key = name === 'buckets' ? '4-7' : name === 'fields' ? 'email' : 'key';
        const value = sampleOf(schema.additionalProperties, components, key === 'email' ? key : undefined, stack);
        return value === undefined ? {} : { [key]: value };
      }
      return type === 'object' ? {} : null;
    }
    case 'array': {
      const item = sampleOf(schema.items, components, singular(name), stack);
      return item === undefined ? [] : [item];
    }
    case 'string':
      return stringFor(schema, name);
    case 'integer':
      return numberFor(schema, name, true);
    case 'number':
      return numberFor(schema, name, false);
    case 'boolean':
      return name === 'submitted' || name === 'reporting' ? false : true;
    default:
      return null;
  }
}

function allowsNull(schema: Json, components: Json): boolean {
  if (typeof schema.$ref === 'string') return allowsNull(components[schema.$ref.split('/').pop()!] ?? {}, components);
  if (schema.nullable === true || schema.type === 'null' || (Array.isArray(schema.type) && schema.type.includes('null'))) return true;
  return [...(schema.anyOf ?? []), ...(schema.oneOf ?? [])].some((v: Json) => allowsNull(v, components));
}

/** The field name an array's items are sampled as. */
const ITEM_NAMES: Record<string, string> = { abilities: 'ability', filled_by: 'actor_id', unconvertible: 'unconvertible_currency', path: 'name', headers: 'header', scenario_ids: 'scenario_id', run_ids: 'run_id' };

function singular(name: string | undefined): string | undefined {
  return name ? ITEM_NAMES[name] : undefined;
}

const ID = IDS.id!;

/** Request bodies written by hand: each is a valid request for its route. */
export const REQUEST_EXAMPLES: Record<string, unknown> = {
  'POST /api/v1/scenarios': { name: '2026-03 platform realignment', description: 'Split Platform into Core and Developer Experience' },
  'POST /api/v1/scenarios/{id}/changes': {
    changes: [
      { op: 'rename_org_unit', org_unit_id: IDS.org_unit_id, name: 'Platform Core' },
      { op: 'set_fte', actor_id: IDS.actor_id, fte: 0.8 },
      { op: 'add_actor', kind: 'human', display_name: 'New backend hire', title: 'Backend Engineer', org_unit_id: IDS.org_unit_id, manager_id: IDS.manager_id },
    ],
  },
  'POST /api/v1/scenarios/{id}/promote': { resolutions: [{ family: 'org_unit', id: IDS.org_unit_id, field: 'name', choice: 'scenario' }] },
  'POST /api/v1/snapshots': { name: 'Before the Q3 reorg' },
  'POST /api/v1/tokens': { name: 'CI reporting', abilities: ['org-units.read', 'actors.read', 'org-metrics.read'], expires_at: '2027-01-01T00:00:00Z' },
  'POST /api/v1/department-types': { name: 'Product' },
  'POST /api/v1/team-types': { name: 'Stream-aligned' },
  'PATCH /api/v1/department-types/{id}': { name: 'Go-to-market' },
  'PATCH /api/v1/team-types/{id}': { name: 'Platform' },
};

/**
 * Background tasks as they really are at each point: a write that starts one answers it pending (nothing started,
 * finished, produced or failed yet; a restore and an import undo are `restore` tasks of the snapshot), and polling it
 * returns it finished, with the result its kind produces (money figures only with `costs.read`).
 */
const SNAPSHOT_ID = '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
const TASK_ID = '9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b';
function pendingTask(kind: 'promotion' | 'restore', scenarioId: string): Json {
  return { id: TASK_ID, kind, status: 'pending', scenario_id: scenarioId, progress: {}, result: null, error: null, created_at: '2026-05-14T09:30:00.000Z', started_at: null, finished_at: null };
}
const TASK_DELTAS = { headcount: 1, fte: 0.8, effective_fte: 0.8, monthly_cost_minor: 708_333, currency: 'EUR' };
const SUCCEEDED_PROMOTION: Json = {
  ...pendingTask('promotion', IDS.scenario_id!),
  status: 'succeeded',
  progress: { stage: 'done', percent: 100 },
  result: {
    from_snapshot_id: SNAPSHOT_ID,
    to_scenario_id: IDS.scenario_id,
    snapshot_id: SNAPSHOT_ID,
    applied_scenario_id: IDS.scenario_id,
    live_version: 12,
    records_written: 4,
    deltas: TASK_DELTAS,
  },
  started_at: '2026-05-14T09:30:00.120Z',
  finished_at: '2026-05-14T09:30:01.480Z',
};
const RESTORED_ID = '5b6c7d8e-9f0a-4b1c-8d2e-3f4a5b6c7d8e';
const SUCCEEDED_RESTORE: Json = {
  ...pendingTask('restore', RESTORED_ID),
  id: '1f2e3d4c-5b6a-4798-8877-665544332211',
  status: 'succeeded',
  progress: { stage: 'done', percent: 100 },
  result: {
    from_snapshot_id: '6c7d8e9f-0a1b-4c2d-9e3f-4a5b6c7d8e9f',
    to_scenario_id: RESTORED_ID,
    snapshot_id: '6c7d8e9f-0a1b-4c2d-9e3f-4a5b6c7d8e9f',
    restored_snapshot_id: RESTORED_ID,
    live_version: 11,
    records_written: 3,
    deltas: { headcount: -1, fte: -1, effective_fte: -1, monthly_cost_minor: -708_333, currency: 'EUR' },
  },
  created_at: '2026-05-13T16:00:00.000Z',
  started_at: '2026-05-13T16:00:00.090Z',
  finished_at: '2026-05-13T16:00:00.870Z',
};
const TASK_PAGE = { data: [SUCCEEDED_PROMOTION, SUCCEEDED_RESTORE], next_cursor: null };

/** Success bodies written by hand where the generated one would read oddly. */
export const RESPONSE_EXAMPLES: Record<string, unknown> = {
  'POST /api/v1/scenarios/{id}/promote': { data: pendingTask('promotion', IDS.scenario_id!) },
  'POST /api/v1/snapshots/{id}/restore': { data: pendingTask('restore', RESTORED_ID) },
  'POST /api/v1/imports/{id}/undo': { data: pendingTask('restore', SNAPSHOT_ID) },
  'GET /api/v1/tasks/{id}': { data: SUCCEEDED_PROMOTION },
  'GET /api/v1/tasks': TASK_PAGE,
  'GET /api/v1/scenarios/{id}/tasks': { data: [SUCCEEDED_PROMOTION], next_cursor: null },
  'GET /api/v1/me': {
    data: {
      tenant: { slug: 'acme', name: 'Acme Corporation', plan: 'business', reporting_currency: 'EUR', mcp_available: true },
      user: { id: IDS.user_id, email: 'manager@acme.test', name: 'Morgan Manager' },
      role: 'manager',
      credential: 'api_token',
      credential_expires_at: '2026-09-01T09:00:00.000Z',
      abilities: ['actors.read', 'costs.read', 'org-metrics.read', 'org-units.read', 'placements.read', 'positions.read', 'scenarios.read', 'scenarios.write', 'teams.read'],
    },
  },
  'GET /api/v1/scenarios/{id}/delta': {
    data: {
      scenario: {
        id: IDS.scenario_id,
        name: '2026-03 platform realignment',
        description: 'Split Platform into Core and Developer Experience',
        kind: 'planning',
        state: 'active',
        submitted: false,
        submitted_at: null,
        source: { kind: 'live' },
        editable: true,
        revision: 3,
        created_at: '2026-05-14T09:30:00.000Z',
        updated_at: '2026-05-14T09:45:00.000Z',
        archived_at: null,
        promoted_at: null,
      },
      compare: 'source',
      against: { kind: 'live' },
      as_of: '2026-06-01',
      families: {
        org_unit: { added: [], removed: [], changed: [{ id: IDS.org_unit_id, label: 'Platform Core', fields: { name: { from: 'Platform', to: 'Platform Core' } } }] },
        actor: {
          added: [{ id: IDS.actor_id, kind: 'human', display_name: 'New backend hire', title: 'Backend Engineer', fte: 1 }],
          removed: [],
          changed: [{ id: IDS.manager_id, label: 'Grace Hopper', fields: { fte: { from: 1, to: 0.8 } } }],
        },
        reporting_line: {
          added: [{ label: 'New backend hire reports to Grace Hopper', id: 'c3d4e5f6-a7b8-4c9d-8e0f-1a2b3c4d5e6f', actor_id: IDS.actor_id, manager_id: IDS.manager_id, valid_from: '2026-06-01', valid_to: null }],
          removed: [],
          changed: [],
        },
      },
      // Every family's totals, on every page; a delta of more records than \`limit\` has a \`next_cursor\`.
      counts: { org_unit: { added: 0, removed: 0, changed: 1 }, actor: { added: 1, removed: 0, changed: 1 }, reporting_line: { added: 1, removed: 0, changed: 0 } },
      next_cursor: null,
      conflicts: [],
      metrics: {
        total: {
          headcount: { from: 42, to: 43, delta: 1 },
          fte: { from: 41.5, to: 42.3, delta: 0.8 },
          annual_cost_minor: { from: 510_000_000, to: 518_500_000, delta: 8_500_000, currency: 'EUR' },
          vacant_seats_annual_cost_minor: { from: 22_500_000, to: 72_500_000, delta: 50_000_000, currency: 'EUR' },
          // Placement checks: across the whole organisation, in the total only.
          over_allocated: { from: 1, to: 1, delta: 0 },
          under_allocated: { from: 2, to: 2, delta: 0 },
          unplaced: { from: 0, to: 0, delta: 0 },
          no_primary: { from: 1, to: 1, delta: 0 },
        },
        by_org_unit: [{ org_unit_id: IDS.org_unit_id, name: 'Platform Core', headcount: { from: 12, to: 13, delta: 1 } }],
      },
      withheld: [],
      names: { [IDS.actor_id]: 'New backend hire', [IDS.manager_id]: 'Grace Hopper' },
    },
  },
  // The overlay behind the delta example: an added record whole (no base), a change as the fields it edits and their source values.
  'GET /api/v1/scenarios/{id}/changes': {
    data: [
      {
        family: 'org_unit',
        record_id: IDS.org_unit_id,
        label: 'Platform Core',
        op: 'change',
        values: { name: 'Platform Core' },
        base: { name: 'Platform' },
        names: {},
        revision: 1,
      },
      {
        family: 'actor',
        record_id: IDS.actor_id,
        label: 'New backend hire',
        op: 'add',
        values: { id: IDS.actor_id, kind: 'human', display_name: 'New backend hire', title: 'Backend Engineer', email: null, level: null, fte: 1, external_uid: `orgonaut-${IDS.actor_id}`, source_hris: null, source_hris_id: null, valid_from: '2026-06-01', valid_to: null },
        base: null,
        names: {},
        revision: 3,
      },
      {
        family: 'reporting_line',
        record_id: 'c3d4e5f6-a7b8-4c9d-8e0f-1a2b3c4d5e6f',
        label: 'New backend hire reports to Grace Hopper',
        op: 'add',
        values: { id: 'c3d4e5f6-a7b8-4c9d-8e0f-1a2b3c4d5e6f', actor_id: IDS.actor_id, manager_id: IDS.manager_id, valid_from: '2026-06-01', valid_to: null },
        base: null,
        names: { [IDS.actor_id!]: 'New backend hire', [IDS.manager_id!]: 'Grace Hopper' },
        revision: 3,
      },
    ],
    next_cursor: null,
  },
  'GET /api/v1/currencies': {
    data: [
      { code: 'EUR', name: 'Euro', active: true, reporting: true, rate_to_reporting: 1 },
      { code: 'USD', name: 'US dollar', active: true, reporting: false, rate_to_reporting: 0.92 },
    ],
    next_cursor: null,
  },
};

/** Example values of parameters, by name. */
const PARAMETER_EXAMPLES: Record<string, unknown> = {
  id: ID,
  tenant: 'acme',
  scenario_id: IDS.scenario_id,
  as_of: '2026-06-01',
  org_unit_id: IDS.org_unit_id,
  actor_id: IDS.actor_id,
  manager_id: IDS.manager_id,
  position_id: IDS.position_id,
  parent_id: IDS.parent_id,
  root_id: IDS.org_unit_id,
  limit: 50,
  since: '2026-05-01',
  until: '2026-05-31',
};

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

/** Adds the examples to a generated OpenAPI document (in place) and returns it. */
export function addExamples<T extends Json>(doc: T): T {
  const components: Json = doc.components?.schemas ?? {};
  for (const [path, item] of Object.entries((doc.paths ?? {}) as Record<string, Json>)) {
    for (const method of METHODS) {
      const op: Json | undefined = item[method];
      if (!op) continue;
      const key = `${method.toUpperCase()} ${path}`;
      for (const parameter of (op.parameters ?? []) as Json[]) {
        if (parameter.example !== undefined || parameter.schema?.example !== undefined) continue;
        const example = PARAMETER_EXAMPLES[parameter.name] ?? (parameter.in === 'path' ? sampleOf(parameter.schema, components, parameter.name) : undefined);
        if (example !== undefined && example !== null) parameter.example = example;
      }
      const body: Json | undefined = op.requestBody?.content?.['application/json'];
      if (body && body.example === undefined) body.example = REQUEST_EXAMPLES[key] ?? sampleOf(body.schema, components);
      for (const [status, response] of Object.entries((op.responses ?? {}) as Record<string, Json>)) {
        const media: Json | undefined = response.content?.['application/json'];
        if (!status.startsWith('2') || !media || media.example !== undefined) continue;
        media.example = RESPONSE_EXAMPLES[key] ?? sampleOf(media.schema, components);
      }
    }
  }
  return doc;
}
