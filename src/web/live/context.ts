import type { Context } from 'hono';
import type { AppEnv } from '../../http/env.js';
import type { OrgGraph } from '../../org/types.js';

/**
 * Which organisation a page looks at — Live, or a scenario (`?scenario=<id>`) — and on which day (`?as_of=`). Links
 * between the organisation pages keep both, so a scenario is browsed with the same pages as Live.
 */
export interface ViewParams {
  scenarioId: string | null;
  asOf: string | null;
}

export function viewParams(c: Context<AppEnv>): ViewParams {
  return { scenarioId: c.req.query('scenario')?.trim() || null, asOf: c.req.query('as_of')?.trim() || null };
}

/** A same-site link with the view's scenario and day, plus `extra` query fields (empty values are left out). */
export function link(path: string, params: ViewParams, extra: Record<string, string | null | undefined> = {}): string {
  const query = new URLSearchParams();
  if (params.scenarioId) query.set('scenario', params.scenarioId);
  if (params.asOf) query.set('as_of', params.asOf);
  for (const [key, value] of Object.entries(extra)) if (value) query.set(key, value);
  const text = query.toString();
  return text ? `${path}?${text}` : path;
}

/**
 * Display names for the ids a page shows (units, actors, positions), read from the graph the service returned with
 * its answer. Names only: figures and money always come from the services' presenters.
 */
export interface Names {
  unit(id: string | null | undefined): string;
  actor(id: string | null | undefined): string;
  position(id: string | null | undefined): string;
  placement(id: string | null | undefined): string;
  /** A compensation record by whose pay it is: "Pay of Ann Lee". */
  compensation(id: string | null | undefined): string;
}

export function namesOf(...graphs: OrgGraph[]): Names {
  const find = <T>(pick: (g: OrgGraph) => Map<string, T>, id: string | null | undefined): T | undefined => {
    if (!id) return undefined;
    for (const g of graphs) {
      const hit = pick(g).get(id);
      if (hit) return hit;
    }
    return undefined;
  };
  const short = (id: string | null | undefined) => (id ? `#${id.slice(0, 8)}` : '–');
  const names: Names = {
    unit: (id) => find((g) => g.orgUnits, id)?.name ?? short(id),
    actor: (id) => find((g) => g.actors, id)?.displayName ?? short(id),
    position: (id) => find((g) => g.positions, id)?.title ?? short(id),
    placement: (id) => {
      const p = find((g) => g.placements, id);
      return p ? `${names.actor(p.actorId)} in ${names.unit(p.orgUnitId)} (${p.allocationPct} %)` : short(id);
    },
    compensation: (id) => {
      const pay = find((g) => g.compensations, id);
      return pay ? `Pay of ${names.actor(pay.actorId)}` : short(id);
    },
  };
  return names;
}
