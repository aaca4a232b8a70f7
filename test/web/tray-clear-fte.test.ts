import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pageText } from '../support/app.js';
import { fixtureIds } from '../support/fixture-org.js';
import { fixtureSite, openTray, stagedOf, type FixtureSite } from '../support/fixture-site.js';

/**
 * The change tray's Set contracted FTE form with the FTE left empty: no FTE, which a robot or agent may have (SPEC §6)
 * — staged as `fte: null` and said as clearing it; for a person the service's refusal is shown on the FTE field.
 * Fixture: bot is an agent in Platform; p1 a person.
 */

let site: FixtureSite;
let owner: string;
const { id } = fixtureIds('tray-clear-fte');
const text = pageText;

beforeAll(async () => {
  site = await fixtureSite({ slug: 'trayclearfte', salt: 'tray-clear-fte' });
  owner = await site.signIn('owner');
});
afterAll(() => site?.database.close());

describe('Set contracted FTE with the FTE left empty', () => {
  it('stages clearing an agent’s FTE (after one given in the same tray), and is refused on the FTE field for a person', async () => {
    const { stage, page } = await openTray(site, 'Agents without FTE', owner);
    // Not marked required: a person needs an FTE, a robot or agent does not.
    expect(page).not.toMatch(/id="set_fte-fte" name="fte"[^>]*required/);
    expect(text(page)).toContain('FTE (for a person)');

    const given = await stage('', { op: 'set_fte', actor_id: id('bot'), fte: '1' });
    expect(given.status).toBe(200);
    const cleared = await stage(stagedOf(given.html), { op: 'set_fte', actor_id: id('bot'), fte: '' });
    expect(cleared.status).toBe(200);
    expect(JSON.parse(stagedOf(cleared.html))).toEqual([
      { op: 'set_fte', actor_id: id('bot'), fte: 1 },
      { op: 'set_fte', actor_id: id('bot'), fte: null },
    ]);
    expect(text(cleared.html)).toContain('Clear bot’s FTE');

    const person = await stage('', { op: 'set_fte', actor_id: id('p1'), fte: '' });
    expect(person.status).toBe(400);
    expect(text(person.html)).toContain('a person needs a contracted FTE (0.01–3.00); only a robot or agent may have none');
    expect(person.html).toMatch(/id="set_fte-fte" name="fte"[^>]*aria-invalid="true"/);
    expect(text(person.html)).toContain('Tray: 0 staged changes');
  });
});
