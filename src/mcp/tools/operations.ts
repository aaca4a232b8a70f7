import { z } from 'zod';
import { operationalStatus } from '../../imports/status.js';
import { item } from '../fields.js';
import { defineTool, READ_ONLY } from '../registry.js';

/**
 * Operational status: how data gets into the tenant — the HRIS integration and its last sync, and recent import
 * runs with their state. Read-only: imports and integrations are human-owned (SPEC §5), so nothing here starts,
 * pauses, reschedules or reruns anything. The service returns no secrets, no row contents and no money.
 */

export const operationsStatusTool = defineTool({
  name: 'org.operations.status',
  title: 'Operational status: HRIS sync and imports',
  description:
    'How data gets into this organisation, read-only: whether HRIS live sync is on the plan, the BambooHR ' +
    'integration’s status (connected, paused, disconnected), its apply targets, its pull schedule (off, hourly, or daily ' +
    'at an hour UTC; at the tenant’s own minute past the hour) with the next scheduled sync, last sync (when, how it went, the error, whether sync now or the ' +
    'schedule started it) and last webhook call, changes waiting, and the most recent import runs with their state (pending, ' +
    'processing with stage and percent, completed with imported and quarantined row counts, failed with the error). ' +
    'Use it to explain why Live changed or looks stale, together with `org.lineage.list` and `org.activity.list`. ' +
    'Starting, fixing or undoing imports and changing the integration are for people in the web app. Needs activity.read.',
  purpose: 'history',
  inputSchema: z.object({
    limit: z.number().int().min(1).max(50).optional().describe('How many recent import runs to include, 1–50 (default 10).'),
  }),
  outputSchema: z.object({
    hris: z.looseObject({
      available_on_plan: z.boolean(),
      integration: z
        .looseObject({
          provider: z.string(),
          status: z.string(),
          schedule: z.object({ frequency: z.string(), hour_utc: z.number().nullable(), minute_utc: z.number().nullable(), next_sync_at: z.string().nullable() }).optional(),
        })
        .optional(),
    }),
    imports: z.looseObject({
      processing: z.number(),
      recent_runs: z.array(item({ status: z.string(), source: z.string() })),
    }),
  }),
  annotations: READ_ONLY,
  requires: ['activity.read'],
  example: { limit: 5 },
  async handler(ctx, input) {
    return operationalStatus(ctx, { recentRuns: input.limit });
  },
});

export const operationsTools = [operationsStatusTool];
