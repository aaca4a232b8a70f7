import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AS_OF, fixtureIds } from '../support/fixture-org.js';
import { fixtureSite, type ApiBody, type FixtureSite } from '../support/fixture-site.js';

/** `GET /api/v1/scenarios/{id}/delta` a page at a time (`limit`, `cursor`, `family`), with every family's `counts`. */

let site: FixtureSite;
let owner: string;
let sid: string;
const SALT = 'api-delta-pages';
const HIRES = 120;
const { id, units } = fixtureIds(SALT);

type Records = { added: { id: string }[]; removed: { id: string }[]; changed: { id: string }[] };
type Body = ApiBody;

const call = (path: string) => site.api(path, { token: owner });

const keysOf = (families: Record<string, Records>) =>
  Object.entries(families).flatMap(([family, r]) => (['added', 'removed', 'changed'] as const).flatMap((kind) => r[kind].map((rec) => `${family} ${kind} ${rec.id}`)));

async function walk(query: string): Promise<Body['data'][]> {
  const pages: Body['data'][] = [];
  let cursor: string | null = null;
  do {
    const { status, body } = await call(`/api/v1/scenarios/${sid}/delta?as_of=${AS_OF}&${query}${cursor ? `&cursor=${cursor}` : ''}`);
    expect(status).toBe(200);
    pages.push(body.data);
    cursor = body.data.next_cursor;
  } while (cursor && pages.length < 100);
  return pages;
}

beforeAll(async () => {
  site = await fixtureSite({ slug: 'apidelta', salt: SALT });
  owner = await site.token('owner');
  sid = (await site.api('/api/v1/scenarios', { token: owner, method: 'POST', json: { name: 'Hiring wave' } })).body.data.id;
  const hires = Array.from({ length: HIRES }, (_, n) => ({ op: 'add_actor', kind: 'human', display_name: `Hire ${n}`, org_unit_id: units.P, manager_id: id('eng_head'), fte: 1, date: AS_OF }));
  const changes = [...hires, { op: 'rename_org_unit', org_unit_id: units.F, name: 'Field Force' }];
  const applied = await site.api(`/api/v1/scenarios/${sid}/changes`, { token: owner, method: 'POST', json: { changes } });
  expect(applied.status).toBe(200);
});
afterAll(() => site?.database.close());

describe('the delta over REST, a page at a time', () => {
  it('walks every page with next_cursor: the union is the delta in one page of 500, no record twice, counts and metrics on every page', async () => {
    const whole = (await call(`/api/v1/scenarios/${sid}/delta?as_of=${AS_OF}&limit=500`)).body.data;
    expect(whole.next_cursor).toBeNull();
    const all = keysOf(whole.families);
    expect(all.length).toBe(3 * HIRES + 1);
    expect(whole.counts).toEqual({
      org_unit: { added: 0, removed: 0, changed: 1 },
      actor: { added: HIRES, removed: 0, changed: 0 },
      reporting_line: { added: HIRES, removed: 0, changed: 0 },
      placement: { added: HIRES, removed: 0, changed: 0 },
    });
    const pages = await walk('limit=77');
    expect(pages.length).toBe(Math.ceil(all.length / 77));
    const walked = pages.flatMap((p) => keysOf(p.families));
    expect(new Set(walked).size).toBe(walked.length);
    expect(walked).toEqual(all);
    for (const page of pages) {
      expect(page.counts).toEqual(whole.counts);
      expect(page.metrics.total.headcount).toEqual(whole.metrics.total.headcount);
      // Named: what this page's records point at, not every record of the delta.
      const onPage = JSON.stringify(page.families);
      expect(Object.keys(page.names).filter((named) => !onPage.includes(named))).toEqual([]);
    }
  });

  it('gives 100 records by default; `family` keeps one family, counts stay whole', async () => {
    const first = (await call(`/api/v1/scenarios/${sid}/delta?as_of=${AS_OF}`)).body.data;
    expect(keysOf(first.families)).toHaveLength(100);
    expect(first.next_cursor).toEqual(expect.any(String));
    const placements = await walk('family=placement&limit=50');
    expect(placements.map((p) => Object.keys(p.families))).toEqual([['placement'], ['placement'], ['placement']]);
    expect(placements.flatMap((p) => keysOf(p.families))).toHaveLength(HIRES);
    expect(placements[0].counts.actor).toEqual({ added: HIRES, removed: 0, changed: 0 });
  });

  it('refuses an unknown family (naming the valid ones), a bad limit, and a cursor of another family', async () => {
    const wrong = await call(`/api/v1/scenarios/${sid}/delta?family=people`);
    expect(wrong.status).toBe(400);
    expect(wrong.body).toMatchObject({ code: 'invalid_input', field: 'family' });
    expect(JSON.stringify(wrong.body)).toMatch(/org_unit.*department.*team.*actor.*reporting_line.*placement.*position.*compensation/);
    expect((await call(`/api/v1/scenarios/${sid}/delta?limit=0`)).body).toMatchObject({ status: 400, field: 'limit' });
    const actors = (await call(`/api/v1/scenarios/${sid}/delta?family=actor&limit=5`)).body.data;
    const mixed = await call(`/api/v1/scenarios/${sid}/delta?family=placement&cursor=${actors.next_cursor}`);
    expect(mixed.status).toBe(400);
    expect(mixed.body).toMatchObject({ code: 'invalid_input', field: 'cursor' });
  });
});
