import { can, type Principal } from '../access/policy.js';
import { PlanLimit } from '../errors.js';
import { counted, listed } from '../util/words.js';
import { actorAllowance, PLAN_FEATURES, PLANS, type Plan } from './plans.js';

/**
 * Refusals for going over a plan limit (SPEC §2: "refused with an error that names the limit and the plan"), said so
 * the reader can act: how far over it would go, what makes room, which plans allow more, and who changes the plan —
 * plans are set by the operators of this Orgonaut, so the owner asks them, anyone else asks the owner, and the
 * operator's own command line is told the command.
 */

export type LimitedThing = 'actors' | 'active planning scenarios';

/** Who asks for a bigger plan, said to the person reading (null: the operator's command line). */
export function upgradeAdvice(principal: Principal | null, tenant?: { slug: string }): string {
  if (!principal || principal.kind === 'system') return `raise it with orgonaut tenants set-plan${tenant ? ` ${tenant.slug}` : ''} <plan>.`;
  return can(principal, 'billing.manage') ? 'as the owner of the organisation, ask your Orgonaut provider to upgrade its plan.' : 'ask the owner of the organisation to upgrade its plan.';
}

const amount = (n: number) => (n === Infinity ? 'unlimited' : n.toLocaleString('en-GB'));

/** The plans above `plan` that allow more than `allowed`, with what each allows: "business (10), enterprise (unlimited)". */
function largerPlans(plan: Plan, thing: LimitedThing, allowed: number): string {
  const of = (p: Plan) => (thing === 'actors' ? PLAN_FEATURES[p].actorAllowance : PLAN_FEATURES[p].activePlanningScenarios);
  const above = PLANS.slice(PLANS.indexOf(plan) + 1).filter((p) => of(p) > allowed);
  return listed(above.map((p) => `${p} (${amount(of(p))})`));
}

/**
 * The refusal for `wouldBe` of `thing` where the tenant allows fewer. The actor allowance may be the tenant's own
 * (`orgonaut tenants set-allowance`), which the message says rather than putting it on the plan.
 */
export function planLimitRefusal(
  tenant: { slug: string; plan: Plan; actorAllowance: number | null },
  principal: Principal | null,
  thing: LimitedThing,
  wouldBe: number,
): PlanLimit {
  const allowed = thing === 'actors' ? actorAllowance(tenant) : PLAN_FEATURES[tenant.plan].activePlanningScenarios;
  const own = thing === 'actors' && tenant.actorAllowance !== null;
  const whose = own ? `This organisation's allowance (set for it; the ${tenant.plan} plan's is ${amount(PLAN_FEATURES[tenant.plan].actorAllowance)})` : `The ${tenant.plan} plan`;
  const message =
    thing === 'actors'
      ? `${whose} allows ${counted(allowed, 'active actor')}; this would make ${wouldBe.toLocaleString('en-GB')}.`
      : allowed === 0
        ? `${whose} has no planning scenarios.`
        : `${whose} allows ${counted(allowed, 'active planning scenario')}, and all are in use.`;
  const room = thing === 'actors' ? 'Deactivate actors first, or bring in fewer.' : allowed === 0 ? '' : 'Archive an active planning scenario to make room.';
  return new PlanLimit(thing, tenant.plan, allowed, message, [room, own ? raiseAllowance(principal, tenant) : morePlans(tenant, principal, thing, allowed)].filter(Boolean).join(' '));
}

function morePlans(tenant: { slug: string; plan: Plan }, principal: Principal | null, thing: LimitedThing, allowed: number): string {
  const larger = largerPlans(tenant.plan, thing, allowed);
  if (!larger) return '';
  const advice = upgradeAdvice(principal, tenant);
  return `The ${larger} plan${larger.includes(' and ') ? 's allow' : ' allows'} more: ${advice.charAt(0).toUpperCase()}${advice.slice(1)}`;
}

/** An allowance set for this organisation is raised (or put back to the plan's) by the operator. */
function raiseAllowance(principal: Principal | null, tenant: { slug: string }): string {
  if (!principal || principal.kind === 'system') return `Raise it with orgonaut tenants set-allowance ${tenant.slug} <n|default>.`;
  return can(principal, 'billing.manage') ? 'As the owner, ask your Orgonaut provider to raise it.' : 'Ask the owner of the organisation to have it raised.';
}
