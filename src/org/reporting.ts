import { inEffect } from './dates.js';
import { supersedes } from './precedence.js';
import type { OrgGraph, ReportingLine } from './types.js';

/** The solid-line reporting forest on one day, after cycles have been broken. */
export interface ReportingStructure {
  /** Effective manager of each actor that has one. */
  managerOf: Map<string, string>;
  /** Number of direct reports of each actor that has any. */
  directReports: Map<string, number>;
  /** Layer of every active actor: 1 for an actor without a manager. */
  layerOf: Map<string, number>;
  /** Actors at which a reporting cycle was broken (one per cycle: the smallest id on the cycle). */
  cycleRoots: Set<string>;
  /** The line that gives each actor its manager (before cycles are broken). */
  lineOf: Map<string, ReportingLine>;
  /** Actors with more than one eligible line in effect (data that should not happen): all of them. */
  contested: Map<string, ReportingLine[]>;
}

/** Builds the reporting structure among the actors in `active` from the reporting lines in effect on `asOf`. */
export function buildReportingStructure(
  graph: OrgGraph,
  asOf: string,
  active: ReadonlyMap<string, unknown>,
): ReportingStructure {
  const { managerOf, lineOf, contested } = chooseManagers(graph.reportingLines, asOf, active);
  const { layerOf, cycleRoots } = assignLayers(managerOf, active.keys());
  const directReports = new Map<string, number>();
  for (const managerId of managerOf.values()) directReports.set(managerId, (directReports.get(managerId) ?? 0) + 1);
  return { managerOf, directReports, layerOf, cycleRoots, lineOf, contested };
}

function chooseManagers(
  lines: Map<string, ReportingLine>,
  asOf: string,
  active: ReadonlyMap<string, unknown>,
): { managerOf: Map<string, string>; lineOf: Map<string, ReportingLine>; contested: Map<string, ReportingLine[]> } {
  const chosen = new Map<string, ReportingLine>();
  const contested = new Map<string, ReportingLine[]>();
  for (const line of lines.values()) {
    if (!inEffect(line, asOf) || !active.has(line.actorId) || !active.has(line.managerId)) continue;
    const current = chosen.get(line.actorId);
    if (current !== undefined) {
      const all = contested.get(line.actorId);
      if (all) all.push(line);
      else contested.set(line.actorId, [current, line]);
    }
    if (supersedes(line, current)) chosen.set(line.actorId, line);
  }
  const managerOf = new Map<string, string>();
  for (const [actorId, line] of chosen) managerOf.set(actorId, line.managerId);
  return { managerOf, lineOf: chosen, contested };
}

/**
 * Layers by walking each actor's manager chain once (memoised, so O(n) overall). A chain that runs into itself is a
 * cycle: it is broken at its smallest id, which becomes a root (its manager edge is removed from `managerOf`).
 */
function assignLayers(
  managerOf: Map<string, string>,
  actorIds: Iterable<string>,
): { layerOf: Map<string, number>; cycleRoots: Set<string> } {
  const layerOf = new Map<string, number>();
  const cycleRoots = new Set<string>();
  const onPath = new Map<string, number>();
  for (const start of actorIds) {
    if (layerOf.has(start)) continue;
    const path: string[] = [];
    let current: string | undefined = start;
    while (current !== undefined && !layerOf.has(current) && !onPath.has(current)) {
      onPath.set(current, path.length);
      path.push(current);
      current = managerOf.get(current);
    }
    let end = path.length;
    if (current !== undefined && onPath.has(current)) {
      end = onPath.get(current) as number;
      cycleRoots.add(breakCycle(path.slice(end), managerOf, layerOf));
    }
    let layer = current === undefined ? 0 : (layerOf.get(current) as number);
    for (let i = end - 1; i >= 0; i--) layerOf.set(path[i], ++layer);
    for (const id of path) onPath.delete(id);
  }
  return { layerOf, cycleRoots };
}

/** `cycle[k + 1]` is the manager of `cycle[k]`, and the last one's manager is `cycle[0]`. Returns the new root. */
function breakCycle(cycle: string[], managerOf: Map<string, string>, layerOf: Map<string, number>): string {
  let rootIndex = 0;
  for (let k = 1; k < cycle.length; k++) if (cycle[k] < cycle[rootIndex]) rootIndex = k;
  const n = cycle.length;
  for (let k = 0; k < n; k++) layerOf.set(cycle[k], 1 + ((rootIndex - k + n) % n));
  managerOf.delete(cycle[rootIndex]);
  return cycle[rootIndex];
}
