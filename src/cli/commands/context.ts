import { describeAbility, toAbility } from '../../access/abilities.js';
import { hint, print, printJson, printPairs, utcTime } from '../client/output.js';
import type { Me } from './auth.js';
import type { Run } from './shared.js';

/** `orgonaut context`: who and where the CLI is signed in — tenant, plan, user, role and effective abilities. */
export async function contextCommand(run: Run): Promise<number> {
  const login = run.login();
  const body = await run.client().get<{ data: Me }>('/api/v1/me');
  if (run.json) {
    printJson(body);
    return 0;
  }
  const me = body.data;
  printPairs([
    ['Tenant', `${me.tenant.name} (${me.tenant.slug})`],
    ['Host', login.host],
    ['Plan', me.tenant.plan],
    ['Reporting currency', me.tenant.reporting_currency],
    ['User', me.user ? `${me.user.name} <${me.user.email}>` : '-'],
    ['Role', me.role ?? '-'],
    ['Credential', me.credential],
    ['Expires', me.credential_expires_at ? utcTime(me.credential_expires_at) : 'never'],
    ['MCP', me.tenant.mcp_available ? `${login.host}/mcp/orgonaut` : 'not on this plan'],
  ]);
  print();
  print(`Abilities (${me.abilities.length}):`);
  // Each with what it lets one do, in the consent screen's words (an ability this CLI does not know: its name alone).
  const width = Math.max(0, ...me.abilities.map((a) => a.length));
  for (const ability of me.abilities) {
    const known = toAbility(ability);
    print(known ? `  ${ability.padEnd(width)}  ${describeAbility(known)}` : `  ${ability}`);
  }
  hint(`Config: ${run.configFile}`);
  return 0;
}
