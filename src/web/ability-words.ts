import { ABILITIES, ALL_ABILITIES, type Ability } from '../access/abilities.js';
import { anyOfRoles, grantorsIn, rolesIncluding } from '../access/bundles.js';
import type { Principal } from '../access/policy.js';
import { upgradeAdvice } from '../tenancy/plan-limits.js';

export { upgradeAdvice };

/**
 * A page the signed-in person's role does not open, in their words: what it needs, as the role table says it, and who
 * can give it — the API's "your role or token" and "owner or admin of this tenant" speak to a caller with a token.
 * An ability the role has but the plan withholds is the plan's doing. Roles are named from this organisation's own
 * bundles (`Principal.bundles`): who has `members.manage` here, and the roles that include the ability here — with
 * the default roles too when this organisation changed them; without its bundles, the defaults, said as such.
 */
export function missingAbilityWords(ability: string, principal: Principal): { message: string; fix: string } {
  const known = (ALL_ABILITIES as readonly string[]).includes(ability) ? (ability as Ability) : null;
  const what = known ? `“${ability}” (${ABILITIES[known].charAt(0).toLowerCase()}${ABILITIES[known].slice(1)})` : `“${ability}”`;
  if (known && principal.roleAbilities.has(known)) {
    return { message: `This needs ${what}, which this organisation’s plan does not include.`, fix: `To use it, ${upgradeAdvice(principal)}` };
  }
  const role = principal.role ? `the ${principal.role} role` : 'your role';
  return {
    message: `This needs ${what}, which ${role} does not include.`,
    fix: `Ask ${anyOfRoles(grantorsIn(principal.bundles))} of this organisation for a role that includes it${known ? ` (${rolesIncluding(known, principal.bundles, 'organisation')})` : ''}.`,
  };
}
