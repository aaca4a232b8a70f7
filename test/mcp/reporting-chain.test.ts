import { describe, expect, it } from 'vitest';
import { AS_OF } from '../support/fixture-org.js';
import { errorOf, structured, withAssistant, type Connection, type McpWorld } from './support.js';

/**
 * "Who reports to whom under the CEO?" — one call of org_reporting_lines_list with manager_id and include_indirect,
 * instead of one call per manager down the tree. Fixture: ceo ← eng_head, sales_head; eng_head ← p1, p2, m1 (and
 * `former`, who left before AS_OF); sales_head ← f1, f2.
 */

let world: McpWorld;
let assistant: Connection;
withAssistant((w, a) => {
  world = w;
  assistant = a;
});

type Lines = {
  total: number;
  reporting_lines: { actor_id: string; manager_id: string; actor_name: string; manager_name: string; depth?: number }[];
  next_cursor?: string;
};

describe('reporting chain under a manager', () => {
  it('lists everyone below the manager, level by level, each with its depth and both names', async () => {
    const { id } = world.ids;
    const chain = structured<Lines>(await assistant.call('org_reporting_lines_list', { manager_id: id('ceo'), include_indirect: true, as_of: AS_OF }));
    expect(chain.total).toBe(7);
    expect(chain.reporting_lines.map((l) => [l.actor_name, l.manager_name, l.depth])).toEqual([
      ['eng_head', 'ceo', 1],
      ['sales_head', 'ceo', 1],
      ['f1', 'sales_head', 2],
      ['f2', 'sales_head', 2],
      ['m1', 'eng_head', 2],
      ['p1', 'eng_head', 2],
      ['p2', 'eng_head', 2],
    ]);
    const direct = structured<Lines>(await assistant.call('org_reporting_lines_list', { manager_id: id('ceo'), as_of: AS_OF }));
    expect(direct.total).toBe(2);
    expect(direct.reporting_lines.every((l) => l.depth === undefined)).toBe(true);
  });

  it('pages through the chain with next_cursor in the same order', async () => {
    const { id } = world.ids;
    const args = { manager_id: id('ceo'), include_indirect: true, as_of: AS_OF };
    const all = structured<Lines>(await assistant.call('org_reporting_lines_list', args)).reporting_lines.map((l) => l.actor_id);
    const walked: string[] = [];
    let cursor: string | undefined;
    do {
      const page = structured<Lines>(await assistant.call('org_reporting_lines_list', { ...args, limit: 3, ...(cursor ? { cursor } : {}) }));
      walked.push(...page.reporting_lines.map((l) => l.actor_id));
      cursor = page.next_cursor;
    } while (cursor);
    expect(walked).toEqual(all);
  });

  it('include_indirect without manager_id is refused, saying to pass manager_id', async () => {
    const error = errorOf(await assistant.call('org_reporting_lines_list', { include_indirect: true }));
    expect(error.field).toBe('include_indirect');
    expect(error.message).toContain('manager_id');
  });
});
