import type { Compensation, OrgGraph, OrgUnit, Placement, Position, ReportingLine } from './types.js';

/**
 * Lookups the read services need, built once per graph (graphs are immutable, so a WeakMap keyed by the graph is a
 * safe memo). Indexes hold every record whatever its dates; readers filter by `asOf`.
 */
export interface GraphIndex {
  childrenOf: Map<string | null, OrgUnit[]>;
  placementsByActor: Map<string, Placement[]>;
  placementsByUnit: Map<string, Placement[]>;
  placementsByPosition: Map<string, Placement[]>;
  linesByActor: Map<string, ReportingLine[]>;
  linesByManager: Map<string, ReportingLine[]>;
  positionsByUnit: Map<string, Position[]>;
  compensationsByActor: Map<string, Compensation[]>;
}

const memo = new WeakMap<OrgGraph, GraphIndex>();

/** The ids of a unit and every unit below it (whatever their dates: placements decide who is in scope). */
export function subtree(index: GraphIndex, rootId: string): Set<string> {
  const ids = new Set<string>([rootId]);
  const queue = [rootId];
  while (queue.length) {
    for (const child of index.childrenOf.get(queue.pop()!) ?? []) {
      if (!ids.has(child.id)) {
        ids.add(child.id);
        queue.push(child.id);
      }
    }
  }
  return ids;
}

export function indexGraph(graph: OrgGraph): GraphIndex {
  let index = memo.get(graph);
  if (!index) {
    index = buildIndex(graph);
    memo.set(graph, index);
  }
  return index;
}

function buildIndex(graph: OrgGraph): GraphIndex {
  return {
    childrenOf: group(graph.orgUnits.values(), (u) => u.parentId),
    placementsByActor: group(graph.placements.values(), (p) => p.actorId),
    placementsByUnit: group(graph.placements.values(), (p) => p.orgUnitId),
    placementsByPosition: group(graph.placements.values(), (p) => p.positionId),
    linesByActor: group(graph.reportingLines.values(), (l) => l.actorId),
    linesByManager: group(graph.reportingLines.values(), (l) => l.managerId),
    positionsByUnit: group(graph.positions.values(), (p) => p.orgUnitId),
    compensationsByActor: group(graph.compensations.values(), (c) => c.actorId),
  };
}

function group<T, K>(items: Iterable<T>, keyOf: (item: T) => K | null): Map<K, T[]> {
  const map = new Map<K, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const list = map.get(key as K);
    if (list) list.push(item);
    else map.set(key as K, [item]);
  }
  return map;
}
