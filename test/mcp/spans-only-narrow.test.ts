import { describe, expect, it } from 'vitest';
import { AS_OF } from '../support/fixture-org.js';
import { structured, withAssistant, type Connection, type McpWorld } from './support.js';

/**
 * "Where are spans too wide?" over the fixture org, where no manager is wide (ceo and sales_head have 2 reports,
 * eng_head 3): the default outliers list only narrow managers, and the answer says so — else an assistant reports
 * the listed managers as the wide ones.
 */

let world: McpWorld;
let assistant: Connection;
withAssistant((w, a) => {
  world = w;
  assistant = a;
});

type Spans = { managers: { display_name: string; span: string }[]; note?: string };

describe('org_spans_list outliers with no wide span', () => {
  it('lists the narrow managers and notes that no one is wide, with the threshold to ask instead', async () => {
    const result = structured<Spans>(await assistant.call('org_spans_list', { as_of: AS_OF }));
    expect(result.managers.map((m) => `${m.display_name}:${m.span}`).sort()).toEqual(['ceo:narrow', 'sales_head:narrow']);
    expect(result.note).toBe(
      'No manager has a wide span (≥ 15 direct reports) on 2026-06-01: everyone listed is narrow (≤ 2). For a threshold of your own ("spans over 8") pass min_direct_reports: 9.',
    );
  });

  it('names the unit asked about', async () => {
    const result = structured<Spans>(await assistant.call('org_spans_list', { as_of: AS_OF, org_unit_id: world.ids.units.S }));
    expect(result.managers.map((m) => m.display_name)).toEqual(['sales_head']);
    expect(result.note).toMatch(/^No manager homed in Sales or below has a wide span/);
  });

  it('says nothing extra when narrow managers were asked for, or a range', async () => {
    expect(structured<Spans>(await assistant.call('org_spans_list', { as_of: AS_OF, span: 'narrow' })).note).toBeUndefined();
    expect(structured<Spans>(await assistant.call('org_spans_list', { as_of: AS_OF, max_direct_reports: 2 })).note).toBeUndefined();
  });
});
