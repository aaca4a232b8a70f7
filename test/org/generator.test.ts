import { describe, expect, it } from 'vitest';
import { inEffect, isIsoDate } from '../../src/org/dates.js';
import { generateOrg, type GeneratedOrg } from '../../src/org/generator/index.js';
import { FAMILIES, type OrgGraph } from '../../src/org/types.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const START = '2024-01-01';

function generate(actors: number, seed = 'acme', extra: { idPrefix?: string } = {}): GeneratedOrg {
  return generateOrg({ actors, seed, companyName: 'Acme Corp', reportingCurrency: 'EUR', ...extra });
}

function serialize(org: GeneratedOrg): string {
  const graph = Object.fromEntries(FAMILIES.map((family) => [family, [...org.graph[family].values()]]));
  return JSON.stringify({ ...org, graph });
}

/** Layer of every actor with a reporting line or reports (root = 1); throws on a cycle. */
function layers(graph: OrgGraph): Map<string, number> {
  const manager = new Map<string, string>();
  for (const line of graph.reportingLines.values()) manager.set(line.actorId, line.managerId);
  const layer = new Map<string, number>();
  for (const start of graph.actors.keys()) {
    const chain: string[] = [];
    let current: string | undefined = start;
    while (current !== undefined && !layer.has(current)) {
      if (chain.includes(current)) throw new Error(`reporting cycle through ${current}`);
      chain.push(current);
      current = manager.get(current);
    }
    let depth = current === undefined ? 0 : (layer.get(current) ?? 0);
    for (let i = chain.length - 1; i >= 0; i--) layer.set(chain[i], ++depth);
  }
  return layer;
}

function maxLayer(graph: OrgGraph): number {
  let max = 0;
  for (const [id, layer] of layers(graph)) if (graph.actors.get(id)?.kind === 'human') max = Math.max(max, layer);
  return max;
}

function spans(graph: OrgGraph): number[] {
  const reports = new Map<string, number>();
  for (const { managerId } of graph.reportingLines.values()) reports.set(managerId, (reports.get(managerId) ?? 0) + 1);
  return [...reports.values()].sort((a, b) => a - b);
}

function median(sorted: number[]): number {
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function vacancyRate(graph: OrgGraph): number {
  const filled = new Set<string>();
  for (const placement of graph.placements.values()) if (placement.positionId) filled.add(placement.positionId);
  let vacant = 0;
  for (const position of graph.positions.values()) if (!filled.has(position.id)) vacant++;
  return vacant / graph.positions.size;
}

function primaryCounts(graph: OrgGraph): Map<string, number> {
  const counts = new Map<string, number>();
  for (const placement of graph.placements.values()) {
    if (placement.isPrimary) counts.set(placement.actorId, (counts.get(placement.actorId) ?? 0) + 1);
  }
  return counts;
}

type Check = (ok: boolean, message: string) => void;

function checkIdsAndDates(graph: OrgGraph, check: Check): void {
  for (const family of FAMILIES) {
    for (const [key, record] of graph[family]) {
      check(UUID.test(key), `${family}: id ${key} is not a v4-shaped uuid`);
      if (!('validFrom' in record)) continue;
      const { validFrom, validTo } = record;
      check(validFrom !== null && isIsoDate(validFrom) && validFrom <= START, `${family}: bad validFrom`);
      const endsLater = validTo === null || (isIsoDate(validTo) && validFrom !== null && validFrom < validTo);
      check(endsLater, `${family}: bad validTo`);
    }
  }
}

function checkUnits(org: GeneratedOrg, check: Check): void {
  const { orgUnits: units, departments, teams, actors } = org.graph;
  for (const unit of units.values()) {
    check(unit.parentId === null ? unit.type === 'company' : units.has(unit.parentId), `${unit.name}: bad parent`);
    if (unit.type === 'department') check(departments.has(unit.id), `${unit.name}: no Department record`);
    if (unit.type === 'team') check(teams.has(unit.id), `${unit.name}: no Team record`);
  }
  for (const department of departments.values()) {
    check(units.get(department.orgUnitId)?.type === 'department', 'department without a department unit');
    check(department.leadActorId !== null && actors.has(department.leadActorId), 'department lead missing');
    check(org.departmentTypes.some((t) => t.id === department.departmentTypeId), 'unknown department type');
  }
  for (const team of teams.values()) {
    check(units.get(team.orgUnitId)?.type === 'team', 'team without a team unit');
    check(org.teamTypes.some((t) => t.id === team.teamTypeId), 'unknown team type');
  }
}

function checkActorsAndLines(graph: OrgGraph, check: Check): void {
  for (const actor of graph.actors.values()) {
    const fteOk = actor.fte === null ? actor.kind !== 'human' : actor.fte >= 0.01 && actor.fte <= 3;
    check(fteOk, `${actor.displayName}: bad fte ${actor.fte}`);
    check(actor.sourceHris === null, 'sourceHris must be null');
  }
  for (const line of graph.reportingLines.values()) {
    const [actor, manager] = [graph.actors.get(line.actorId), graph.actors.get(line.managerId)];
    check(actor?.kind === 'human' && manager?.kind === 'human', 'reporting line between unknown or non-human actors');
    check(manager !== undefined && inEffect(manager, line.validFrom ?? START), 'manager not yet hired');
  }
  const primaries = primaryCounts(graph);
  for (const actor of graph.actors.values()) check(primaries.get(actor.id) === 1, `${actor.id}: not one primary`);
}

function checkPlacementsAndMoney(org: GeneratedOrg, check: Check): void {
  const { graph, currencies } = org;
  for (const placement of graph.placements.values()) {
    check(graph.actors.has(placement.actorId) && graph.orgUnits.has(placement.orgUnitId), 'placement to nothing');
    check(placement.positionId === null || graph.positions.has(placement.positionId), 'placement to unknown position');
    check(placement.allocationPct >= 0 && placement.allocationPct <= 300, 'allocation out of range');
  }
  for (const position of graph.positions.values()) {
    check(position.orgUnitId !== null && graph.orgUnits.has(position.orgUnitId), 'position without a unit');
    check(currencies.includes(position.currency ?? ''), 'position currency not listed');
    const priced = position.employmentType === 'perm' ? position.targetSalaryMinor : position.dayRateMinor;
    check(Number.isInteger(priced) && (priced ?? 0) > 0, 'position without a price');
  }
  for (const pay of graph.compensations.values()) {
    check(graph.actors.has(pay.actorId), 'compensation for unknown actor');
    check(Number.isInteger(pay.amountMinor) && pay.amountMinor > 0, 'amount not positive integer minor units');
    check(currencies.includes(pay.currency), 'compensation currency not listed');
  }
}

/** Every rule of the model the generator must respect; returns the first problems found. */
function problems(org: GeneratedOrg): string[] {
  const found: string[] = [];
  const check: Check = (ok, message) => {
    if (!ok && found.length < 20) found.push(message);
  };
  checkIdsAndDates(org.graph, check);
  checkUnits(org, check);
  checkActorsAndLines(org.graph, check);
  checkPlacementsAndMoney(org, check);
  return found;
}

describe('generateOrg: determinism', () => {
  it('gives byte-identical output for the same options', () => {
    expect(serialize(generate(300))).toBe(serialize(generate(300)));
  });

  it('gives a different organisation for a different seed', () => {
    const [a, b] = [generate(300, 'acme'), generate(300, 'globex')];
    expect(serialize(a)).not.toBe(serialize(b));
    const names = (org: GeneratedOrg) => [...org.graph.actors.values()].map((actor) => actor.displayName).join();
    expect(names(a)).not.toBe(names(b));
  });

  it('salts ids with idPrefix without changing the organisation', () => {
    const [plain, salted] = [generate(300), generate(300, 'acme', { idPrefix: 'a1b2' })];
    const ids = new Set(plain.graph.actors.keys());
    expect([...salted.graph.actors.keys()].some((id) => ids.has(id))).toBe(false);
    expect([...salted.graph.actors.keys()].every((id) => id.startsWith('a1b2'))).toBe(true);
    const names = (org: GeneratedOrg) => [...org.graph.actors.values()].map((actor) => actor.displayName);
    expect(names(salted)).toEqual(names(plain));
  });
});

describe('generateOrg: sizes and validity', () => {
  it.each([10, 300, 5_000])('generates exactly %i valid actors', (actors) => {
    const org = generate(actors);
    expect(org.graph.actors.size).toBe(actors);
    expect(problems(org)).toEqual([]);
  });

  it('is checked by a checker that does catch broken organisations', () => {
    const org = generate(50);
    const [first, second] = [...org.graph.reportingLines.values()];
    const placement = [...org.graph.placements.values()][0];
    placement.orgUnitId = 'missing';
    placement.allocationPct = 400;
    expect(problems(org)).toEqual(expect.arrayContaining(['placement to nothing', 'allocation out of range']));
    first.managerId = second.actorId;
    second.managerId = first.actorId;
    expect(() => layers(org.graph)).toThrow(/cycle/);
  });

  it('rejects sizes outside 10..100,000', () => {
    expect(() => generate(9)).toThrow(RangeError);
    expect(() => generate(100_001)).toThrow(RangeError);
    expect(() => generate(12.5)).toThrow(RangeError);
  });

  // How fast is the benchmarks' business (npm run bench seeds 100k tenants), not a timed test's.
  it('generates 100,000 actors with a deep but acyclic hierarchy', () => {
    const { graph } = generate(100_000, 'scale');
    expect(graph.actors.size).toBe(100_000);
    const depth = maxLayer(graph);
    expect(depth).toBeGreaterThanOrEqual(6);
    expect(depth).toBeLessThanOrEqual(10);
    expect([...primaryCounts(graph).values()].every((count) => count === 1)).toBe(true);
    expect(primaryCounts(graph).size).toBe(100_000);
    const rate = vacancyRate(graph);
    expect(rate).toBeGreaterThan(0.04);
    expect(rate).toBeLessThan(0.1);
  });
});

describe('generateOrg: realistic shape at 300 actors', () => {
  const org = generate(300);
  const { graph } = org;
  const humans = [...graph.actors.values()].filter((actor) => actor.kind === 'human');

  it('has one company root, departments, teams and an Unassigned system unit', () => {
    const units = [...graph.orgUnits.values()];
    expect(units.filter((unit) => unit.parentId === null).map((unit) => unit.type)).toEqual(['company']);
    expect(units.filter((unit) => unit.type === 'system').map((unit) => unit.name)).toEqual(['Unassigned']);
    const departments = units.filter((unit) => unit.type === 'department').map((unit) => unit.name);
    expect(departments).toEqual(expect.arrayContaining(['Engineering', 'Sales', 'Customer Support', 'Legal']));
    expect(new Set(units.map((unit) => unit.name)).size).toBe(units.length);
  });

  it('has 4–6 layers, a median span of 3–10 and some narrow and wide spans', () => {
    expect(maxLayer(graph)).toBeGreaterThanOrEqual(4);
    expect(maxLayer(graph)).toBeLessThanOrEqual(6);
    const sorted = spans(graph);
    expect(median(sorted)).toBeGreaterThanOrEqual(3);
    expect(median(sorted)).toBeLessThanOrEqual(10);
    expect(sorted.some((span) => span <= 2)).toBe(true);
    expect(sorted.some((span) => span >= 15)).toBe(true);
  });

  it('has one CEO and a reporting line for every other human only', () => {
    const reporting = new Set([...graph.reportingLines.values()].map((line) => line.actorId));
    expect(humans.filter((actor) => !reporting.has(actor.id)).map((actor) => actor.title)).toEqual([
      'Chief Executive Officer',
    ]);
    expect(graph.reportingLines.size).toBe(humans.length - 1);
  });

  it('gives every human a filled position and 4–10 % vacant positions', () => {
    const filledBy = new Map<string, string>();
    for (const p of graph.placements.values()) if (p.positionId) filledBy.set(p.positionId, p.actorId);
    expect(new Set(filledBy.values()).size).toBe(humans.length);
    expect(vacancyRate(graph)).toBeGreaterThan(0.04);
    expect(vacancyRate(graph)).toBeLessThan(0.1);
  });

  it('mixes robots, agents, contractors, part-timers, secondary placements and currencies', () => {
    const robotsAndAgents = graph.actors.size - humans.length;
    expect(robotsAndAgents).toBeGreaterThanOrEqual(3);
    expect(robotsAndAgents).toBeLessThanOrEqual(6);
    const positions = [...graph.positions.values()];
    expect(positions.some((p) => p.employmentType === 'contractor' && p.dayRateMinor !== null)).toBe(true);
    expect(humans.some((actor) => actor.fte !== null && actor.fte < 1)).toBe(true);
    const secondaries = [...graph.placements.values()].filter((p) => !p.isPrimary);
    expect(secondaries.length).toBeGreaterThan(5);
    expect(secondaries.every((p) => p.allocationPct >= 20 && p.allocationPct <= 50)).toBe(true);
    expect(org.currencies[0]).toBe('EUR');
    expect(org.currencies.length).toBeGreaterThan(1);
    expect([...graph.compensations.values()].some((c) => c.validTo !== null)).toBe(true);
  });

  it('gives unique emails on the company domain and unique external uids', () => {
    const emails = humans.map((actor) => actor.email ?? '');
    expect(new Set(emails).size).toBe(humans.length);
    expect(emails.every((email) => /^[a-z]+\.[a-z]+\d*@acmecorp\.test$/.test(email))).toBe(true);
    const uids = [...graph.actors.values()].map((actor) => actor.externalUid);
    expect(new Set(uids).size).toBe(uids.length);
  });

  it('makes Engineering the largest department', () => {
    const topDepartment = (unitId: string): string => {
      const unit = graph.orgUnits.get(unitId);
      if (!unit || unit.parentId === null) return '';
      return graph.orgUnits.get(unit.parentId)?.type === 'company' ? unit.name : topDepartment(unit.parentId);
    };
    const headcount = new Map<string, number>();
    for (const p of graph.placements.values()) {
      const name = topDepartment(p.orgUnitId);
      if (p.isPrimary) headcount.set(name, (headcount.get(name) ?? 0) + 1);
    }
    expect([...headcount.entries()].sort((a, b) => b[1] - a[1])[0][0]).toBe('Engineering');
  });

  it('places robots and agents in teams, without reporting lines or positions', () => {
    const others = [...graph.actors.values()].filter((actor) => actor.kind !== 'human');
    const managed = new Set([...graph.reportingLines.values()].flatMap((line) => [line.actorId, line.managerId]));
    for (const actor of others) {
      const placements = [...graph.placements.values()].filter((p) => p.actorId === actor.id);
      expect(placements.map((p) => graph.orgUnits.get(p.orgUnitId)?.type)).toEqual(['team']);
      expect(placements[0].positionId).toBeNull();
      expect(managed.has(actor.id)).toBe(false);
    }
  });
});
