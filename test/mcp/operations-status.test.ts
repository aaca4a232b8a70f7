import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServiceContext } from '../../src/context.js';
import { startRun } from '../../src/imports/runs.js';
import { createRunFromUpload } from '../../src/imports/upload.js';
import { syncNow } from '../../src/integrations/batches.js';
import { syncMinute } from '../../src/integrations/schedule.js';
import { putIntegration } from '../../src/integrations/settings.js';
import { GraphStore } from '../../src/org/graph-store.js';
import { buildWorld, connect, errorOf, principalOf, structured, type Connection, type McpWorld } from './support.js';

/**
 * `org.operations.status` (SPEC §5 "operational status (integrations, import runs)"): read-only, needs activity.read,
 * and never shows a secret of the integration, the contents of a row, or money.
 */

const API_KEY = 'bamboo-key-LEAKCHECK-0123456789';
const WEBHOOK_SECRET = 'whsec-LEAKCHECK-0123456789abcdef';
const ROW_EMAIL = 'rowcontent.leak@ops.test';
const BOSS_EMAIL = 'hidden.boss.leak@ops.test';

let world: McpWorld;
let owner: Connection;
let runId: string;

beforeAll(async () => {
  world = await buildWorld();
  const ctx: ServiceContext = { db: world.database.db, graphs: new GraphStore(world.database.db), tenant: world.tenant, principal: principalOf(world.tenant, 'owner') };
  await putIntegration(ctx, { subdomain: 'opsco', base_url: 'http://127.0.0.1:9', api_key: API_KEY, webhook_secret: WEBHOOK_SECRET, apply_to: { live: true }, schedule: { frequency: 'daily', hour_utc: 6 } });
  // The stand-in BambooHR is unreachable: the last sync fails, and its error must not carry the key.
  await expect(syncNow(ctx)).rejects.toMatchObject({ code: 'hris_unreachable' });
  const csv = `email,name,department,manager_email,base_salary_cents,currency\n${ROW_EMAIL},Row Content,Ops Leak Dept,${BOSS_EMAIL},9100000,EUR\n`;
  const run = await createRunFromUpload(ctx, { body: csv, fileName: 'ops.csv', options: { create_missing_types: true } });
  runId = run.id;
  await (await startRun(ctx, run.id)).done;
  owner = await connect(world, principalOf(world.tenant, 'owner'));
});

afterAll(async () => {
  await owner?.close();
  await world?.database.close();
});

describe('org.operations.status', () => {
  it('shows the integration, its last sync and the recent runs with their state', async () => {
    const status = structured<any>(await owner.call('org_operations_status', {}));
    expect(status.hris).toMatchObject({
      available_on_plan: true,
      integration: { provider: 'bamboohr', status: 'connected', apply_to: { live: true, scenarios: 0, future_scenarios: false }, last_sync: { status: 'failed' }, queued_events: 0 },
    });
    // The pull runs at the tenant's own minute of the chosen hour, and the next sync shown says so.
    const minute = syncMinute(world.tenant.id);
    expect(status.hris.integration.schedule).toEqual({ frequency: 'daily', hour_utc: 6, minute_utc: minute, next_sync_at: expect.stringMatching(new RegExp(`T06:${String(minute).padStart(2, '0')}:00\\.000Z$`)) });
    expect(status.hris.integration.last_sync.trigger).toBe('manual');
    expect(status.imports.processing).toBe(0);
    expect(status.imports.recent_runs[0]).toMatchObject({ id: runId, status: 'completed', source: 'upload', file_name: 'ops.csv', rows: 1, imported: 0, quarantined: 1, percent: 100, target: { kind: 'live' } });
  });

  it('never shows a secret, a row’s contents, the reason detail or money', async () => {
    const result = await owner.call('org.operations.status', { limit: 50 });
    const text = JSON.stringify(result);
    for (const leak of [API_KEY, WEBHOOK_SECRET, ROW_EMAIL, BOSS_EMAIL, 'Row Content', 'Ops Leak Dept', '9100000', 'opsco', '127.0.0.1']) expect(text).not.toContain(leak);
    expect(text).not.toMatch(/config_encrypted|api_key|webhook_secret|"values"|"cells"|amount_minor|cost/);
  });

  it('is refused without activity.read, naming it', async () => {
    const member = await connect(world, principalOf(world.tenant, 'member'));
    expect(errorOf(await member.call('org_operations_status', {}))).toMatchObject({ code: 'missing_ability', ability: 'activity.read' });
    await member.close();
  });

  it('shows another tenant nothing of this one', async () => {
    const them = await connect(world, principalOf(world.other, 'owner'));
    const status = structured<any>(await them.call('org_operations_status', {}));
    expect(status.hris.integration).toBeUndefined();
    expect(status.imports.recent_runs ?? []).toEqual([]);
    await them.close();
  });
});
