import { addDays } from '../../org/dates.js';
import type { Actor } from '../../org/types.js';
import { sourceKeyOf } from '../parse-row.js';
import { quarantine, type Quarantine } from '../reasons.js';
import { ended, type OrgIndex } from './org-index.js';
import type { RowIdentity } from './resolve.js';

/**
 * What changed in the run's target between the run's last step and a reprocessing step. Into Live: the actors as they
 * were then, for those changed or removed since (`then`), and the ids of every actor written since (`touched`). Into a
 * scenario, which keeps no versions: the people the quarantined rows found, as the scenario was after the last step
 * (`summary.found_then`, finalize.ts) — the scenario's own edits and Live's showing through both change them. A fixed
 * row is matched against the target as it is now; this says whom its identity found when the run read the file, so a
 * row whose person was given another email or HRIS id, or left, meanwhile is not silently taken for someone else — or
 * used to bring a leaver back with the file's older data.
 */
export type ActorThen = Pick<Actor, 'id' | 'displayName' | 'email' | 'sourceHris' | 'sourceHrisId' | 'validTo'>;

export class LiveSince {
  private readonly bySource = new Map<string, ActorThen>();
  private readonly byEmail = new Map<string, ActorThen>();

  private constructor(
    /** When the file was read and what changed since, as a row's problem says it. */
    private readonly since: string,
    /** Where a person removed since is no longer. */
    private readonly place: string,
    then: readonly ActorThen[],
    /** The actors written since; `all` when `then` holds everyone the rows found (a scenario's). */
    private readonly touched: ReadonlySet<string> | 'all',
  ) {
    for (const actor of then) {
      if (actor.sourceHris && actor.sourceHrisId) this.bySource.set(sourceKeyOf(actor.sourceHris, actor.sourceHrisId), actor);
      if (actor.email) this.byEmail.set(actor.email.toLowerCase(), actor);
    }
  }

  /** Live changed between the version the run's last step read (`version`) and the one this step reads (`now`). */
  static live(version: number, now: number, then: readonly ActorThen[], touched: ReadonlySet<string>): LiveSince {
    return new LiveSince(`when this run read the file (Live version ${version}); Live has changed since (now version ${now})`, 'Live', then, touched);
  }

  /** Into a scenario: `then`, the people the quarantined rows found, as the scenario was after the run's last step. */
  static scenario(name: string, then: readonly ActorThen[]): LiveSince {
    return new LiveSince(`when this run read the file into the scenario “${name}”; the scenario has changed since (edited there, or Live showing through)`, 'the scenario', then, 'all');
  }

  /** Whom a row's identity found then (source identity first, then email), and by which field. */
  private foundThen(row: RowIdentity, index: OrgIndex): { actor: ActorThen; by: 'source_hris_id' | 'email' } | null {
    const untouched = (actor: Actor | undefined) => (actor && this.touched !== 'all' && !this.touched.has(actor.id) ? actor : undefined);
    const source = row.sourceHris && row.sourceHrisId ? sourceKeyOf(row.sourceHris, row.sourceHrisId) : null;
    const bySource = source ? (this.bySource.get(source) ?? untouched(index.bySource.get(source))) : undefined;
    if (bySource) return { actor: bySource, by: 'source_hris_id' };
    const byEmail = row.emailKey ? (this.byEmail.get(row.emailKey) ?? untouched(index.byEmail.get(row.emailKey))) : undefined;
    return byEmail ? { actor: byEmail, by: 'email' } : null;
  }

  /**
   * A row of this step whose person Live changed under it: its identity found someone when the run read the file and
   * now finds someone else or nobody (their email or HRIS id changed, or they were removed), or it found a person who
   * was active then, has left since — or was given another last day — and the row says active: it would bring them
   * back, or take the last day away. A row that found nobody
   * then is matched as it is now (a person added since with its identity is the same person).
   */
  problem(row: RowIdentity, matched: Actor | undefined, index: OrgIndex): Quarantine | null {
    const found = this.foundThen(row, index);
    if (!found) return null;
    const { actor: then, by } = found;
    const { since } = this;
    const identity = by === 'source_hris_id' ? `${row.sourceHris} id “${row.sourceHrisId}”` : row.email!;
    if (matched?.id !== then.id) {
      const now = index.graph.actors.get(then.id);
      const change = !now
        ? `${then.displayName} is no longer in ${this.place}`
        : by === 'email'
          ? `${then.displayName}’s email is now ${now.email ?? 'blank'}`
          : `${then.displayName}’s ${row.sourceHris} id is now ${now.sourceHrisId ? `“${now.sourceHrisId}”` : 'blank'}`;
      const instead = matched ? `it now finds ${matched.displayName}, whom this row would update instead` : 'this row would add a new person instead';
      return quarantine('live_changed', by, `${identity} was ${then.displayName}’s ${since}: ${change}, and ${instead}`);
    }
    // The row says active, which clears an end date: one Live has set or moved since is not the row's to take away.
    if (row.endsOn !== null || matched.validTo === null || matched.validTo === then.validTo) return null;
    const lastDay = addDays(matched.validTo, -1);
    return ended(matched, index.today) && !ended(then, index.today)
      ? quarantine('live_changed', 'status', `${then.displayName} was active ${since}: their last day is ${lastDay}, and this row says they are active, which would bring them back with the file’s older data`)
      : quarantine('live_changed', 'status', `${then.displayName}’s last day was ${then.validTo ? addDays(then.validTo, -1) : 'not set'} ${since}: it is now ${lastDay}, and this row says they are active, which would take that last day away with the file’s older data`);
  }
}
