import { describe, expect, it } from 'vitest';
import type { OrgGraph } from '../../src/org/types.js';
import { changeRunner } from '../support/change-runner.js';
import { buildFixtureOrg, fixtureIds } from '../support/fixture-org.js';

/**
 * A position's budgeted team is a department or team of the organisation, or none yet (positions.md). The Unassigned
 * bucket — the system unit that shows whoever has no placement — is no team a seat is planned for: create_position and
 * update_position refuse it on org_unit_id, saying what to do instead. People may still be sent there deliberately
 * (model-changes-in-edit-mode.md): a placement moved into it is accepted.
 */

const SALT = 'position-budget-unit';
const { id, units } = fixtureIds(SALT);
const { run, refusal } = changeRunner({ salt: SALT, today: '2026-06-01' });
const UNASSIGNED = 'unassigned-bucket';

function withUnassigned(): OrgGraph {
  const graph = buildFixtureOrg(SALT);
  graph.orgUnits.set(UNASSIGNED, { id: UNASSIGNED, parentId: units.C, type: 'system', name: 'Unassigned', code: 'UNASSIGNED', validFrom: null, validTo: null });
  return graph;
}

describe('a seat is not budgeted in the Unassigned bucket', () => {
  const why = 'is the system unit “Unassigned”, which is no team to budget a seat in: choose a department or team, or leave org_unit_id out for a seat with no budgeted team yet';

  it('create_position refuses it on org_unit_id; with no unit the seat is created unbudgeted', () => {
    const refused = refusal([{ op: 'create_position', title: 'Analyst', org_unit_id: UNASSIGNED }], withUnassigned());
    expect([refused.field, refused.reasonText]).toEqual(['changes[0].org_unit_id', why]);
    const { graph, created } = run([{ op: 'create_position', title: 'Analyst' }], withUnassigned());
    expect(graph.positions.get(created[0]!.id)!.orgUnitId).toBeNull();
  });

  it('update_position refuses moving a seat there', () => {
    const refused = refusal([{ op: 'update_position', position_id: id('pos_m_open'), org_unit_id: UNASSIGNED }], withUnassigned());
    expect([refused.field, refused.reasonText]).toEqual(['changes[0].org_unit_id', why]);
  });

  it('a person may still be sent there deliberately', () => {
    const { graph } = run([{ op: 'move_placement', placement_id: id('pl-p2'), org_unit_id: UNASSIGNED }], withUnassigned());
    expect([...graph.placements.values()].some((p) => p.actorId === id('p2') && p.orgUnitId === UNASSIGNED && p.validTo === null)).toBe(true);
  });
});
