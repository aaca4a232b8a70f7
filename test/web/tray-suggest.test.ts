import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_BUNDLES } from '../../src/access/bundles.js';
import { setRoleAbilities } from '../../src/access/role-bundles.js';
import type { ServiceContext } from '../../src/context.js';
import type { Database } from '../../src/db/connection.js';
import { seedOrganisation } from '../../src/db/seed/organisation.js';
import { listActors } from '../../src/org/read-people.js';
import { listOrgUnits } from '../../src/org/read-structure.js';
import { applyBatch } from '../../src/scenarios/apply-batch.js';
import { createScenario } from '../../src/scenarios/lifecycle.js';
import type { Tenant } from '../../src/tenancy/tenants.js';
import { everyPage } from '../../src/web/every-page.js';
import { MAX_CHOICES } from '../../src/web/live/options.js';
import { hiddenField, signInThroughForm, testApp, type TestApp } from '../support/app.js';
import { testDatabase } from '../support/db.js';
import { buildMember, buildTenant, contextFor, principalFor } from '../support/factories.js';

/**
 * The change tray of an organisation larger than a page can list (SPEC §8): every person, placement or position can
 * be found by name — the page gives a few suggestions and the address of the rest (`/scenarios/:id/suggest`), which
 * answers as the person types; a typed exact name stages a change whoever it names, the 2,001st person included.
 */

let database: Database;
let app: TestApp;
const PASSWORD = 'correct horse battery';
const ACTORS = MAX_CHOICES + 150;

interface Org {
  tenant: Tenant;
  host: string;
  ctx: ServiceContext;
  owner: string;
  member: string;
}

interface Person {
  id: string;
  name: string;
  /** How the tray reads them: "Name · Title". */
  label: string;
}

async function orgOf(slug: string, actors: number): Promise<Org> {
  const tenant = await buildTenant(database, { slug, name: slug, plan: 'enterprise' });
  await seedOrganisation(database.db, tenant, { actors });
  const host = `${slug}.localhost`;
  const signIn = async (role: 'owner' | 'member') => signInThroughForm(app, host, (await buildMember(database, tenant, role, { password: PASSWORD })).email, PASSWORD);
  return { tenant, host, ctx: contextFor(database, tenant, principalFor(tenant, 'owner')), owner: await signIn('owner'), member: await signIn('member') };
}

async function get(org: Org, path: string, cookie: string | null = org.owner, host = org.host) {
  const response = await app.request(path, { host, ...(cookie ? { cookie } : {}), headers: { accept: 'text/html' } });
  return { status: response.status, type: response.headers.get('content-type') ?? '', location: response.headers.get('location'), body: await response.text() };
}

interface Suggestion {
  value: string;
  label: string;
}

async function suggest(org: Org, sid: string, query: Record<string, string>, cookie: string | null = org.owner, host = org.host) {
  const answer = await get(org, `/scenarios/${sid}/suggest?${new URLSearchParams(query)}`, cookie, host);
  const json = answer.type.includes('json') ? JSON.parse(answer.body) : null;
  return { ...answer, json, suggestions: (json?.suggestions ?? []) as Suggestion[] };
}

async function post(org: Org, path: string, form: Record<string, string>) {
  const response = await app.request(path, { host: org.host, cookie: org.owner, headers: { origin: `http://${org.host}`, accept: 'text/html' }, form });
  return { status: response.status, html: await response.text() };
}

const decode = (s: string) => s.replaceAll('&quot;', '"').replaceAll('&#39;', "'").replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&amp;', '&');
const text = (html: string) =>
  decode(
    html
      .replace(/<(script|style|datalist)[\s\S]*?<\/\1>/g, '')
      .replace(/<[^>]+>/g, ' '),
  ).replace(/\s+/g, ' ');
const stagedOf = (html: string) => JSON.parse(decode(html.match(/name="staged" value="([^"]*)"/)![1]!));
const control = (html: string, id: string) => new RegExp(`<(input|select) id="${id}"[^>]*>`).exec(html)![0];
const datalist = (html: string, id: string) => {
  const list = new RegExp(`<datalist id="${id}">([\\s\\S]*?)</datalist>`).exec(html);
  return list ? [...list[1]!.matchAll(/<option value="([^"]*)"/g)].map((m) => decode(m[1]!)) : null;
};

let big: Org;
let other: Org;
/** Everyone active in `big`, in the order the lists give them (by name). */
let people: Person[];
/** A person past the first MAX_CHOICES, whose name nobody else has. */
let late: Person;

beforeAll(async () => {
  database = await testDatabase();
  app = testApp(database);
  big = await orgOf('suggestbig', ACTORS);
  other = await orgOf('suggestother', 20);
  const { items } = await everyPage((page) => listActors(big.ctx, page), (r) => r.page);
  people = items.map((a) => ({ id: a.id, name: a.display_name, label: a.title ? `${a.display_name} · ${a.title}` : a.display_name }));
  const named = new Map<string, number>();
  for (const p of people) named.set(p.name.toLowerCase(), (named.get(p.name.toLowerCase()) ?? 0) + 1);
  late = people.slice(MAX_CHOICES + 20).find((p) => named.get(p.name.toLowerCase()) === 1)!;
}, 120_000);
afterAll(() => database?.close());

describe(`the change tray of an organisation of ${ACTORS} actors`, () => {
  it('finds a person past the first 2,000 by name, as the field would send them', async () => {
    expect(people.length).toBeGreaterThan(MAX_CHOICES);
    expect(late).toBeDefined();
    const sid = (await createScenario(big.ctx, { name: 'Suggest: late' })).id;
    const found = await suggest(big, sid, { kind: 'actor', q: late.name.toLowerCase() });
    expect(found.status).toBe(200);
    expect(found.type).toContain('application/json');
    expect(found.suggestions[0]).toEqual({ value: late.label, label: late.label });
    // A few letters: at most 20, each a person whose name has them.
    const few = await suggest(big, sid, { kind: 'actor', q: late.name.slice(0, 2) });
    expect(few.suggestions.length).toBeGreaterThan(0);
    expect(few.suggestions.length).toBeLessThanOrEqual(20);
    for (const s of few.suggestions) expect(s.label.toLowerCase()).toContain(late.name.slice(0, 2).toLowerCase());
  });

  it('stages a change typing the exact name of a person past the first 2,000, or a suggestion as the endpoint gives it', async () => {
    const sid = (await createScenario(big.ctx, { name: 'Suggest: stage' })).id;
    const page = (await get(big, `/scenarios/${sid}/changes`)).body;
    const csrf = hiddenField(page, 'csrf');
    const typed = await post(big, `/scenarios/${sid}/changes`, { csrf, staged: '', action: 'stage', op: 'set_fte', actor_id: late.name, fte: '0.8' });
    expect(text(typed.html)).not.toContain('nothing here matches');
    expect(typed.status).toBe(200);
    expect(stagedOf(typed.html)).toEqual([{ op: 'set_fte', actor_id: late.id, fte: 0.8 }]);
    expect(text(typed.html)).toContain(`Set ${late.name}’s FTE to 0.8`);
    const [picked] = (await suggest(big, sid, { kind: 'actor', q: late.name })).suggestions;
    const again = await post(big, `/scenarios/${sid}/changes`, { csrf, staged: JSON.stringify(stagedOf(typed.html)), action: 'stage', op: 'set_manager', actor_id: picked!.value, manager_id: people[0]!.id });
    expect(again.status).toBe(200);
    expect(stagedOf(again.html)[1]).toEqual({ op: 'set_manager', actor_id: late.id, manager_id: people[0]!.id });
  });

  it('tells two people of the same name apart by id, in the suggestions and when the bare name is typed', async () => {
    const sid = (await createScenario(big.ctx, { name: 'Suggest: twins' })).id;
    const twin = people.at(-1)!;
    const unit = (await listOrgUnits(big.ctx, { type: 'team', limit: 1 })).page.items[0]!.id;
    const title = twin.label.includes(' · ') ? twin.label.split(' · ')[1] : undefined;
    // A hire planned in the scenario (applied to it, not staged in a tray) with the very same name and title.
    await applyBatch(big.ctx, sid, [{ op: 'add_actor', display_name: twin.name, kind: 'human', org_unit_id: unit, ...(title ? { title } : {}) }]);
    const found = await suggest(big, sid, { kind: 'actor', q: twin.name });
    const both = found.suggestions.filter((s) => s.label === twin.label);
    expect(both).toHaveLength(2);
    for (const s of both) expect(s.value).toMatch(new RegExp(`^${twin.label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} — [0-9a-f-]{36}$`));
    expect(both.map((s) => s.value)).toContain(`${twin.label} — ${twin.id}`);
    const page = (await get(big, `/scenarios/${sid}/changes`)).body;
    const csrf = hiddenField(page, 'csrf');
    const either = await post(big, `/scenarios/${sid}/changes`, { csrf, staged: '', action: 'stage', op: 'set_fte', actor_id: twin.label, fte: '0.5' });
    expect(either.status).toBe(400);
    expect(text(either.html)).toContain(`Actor: “${twin.label}” matches 2; pick one of the suggestions.`);
    const chosen = await post(big, `/scenarios/${sid}/changes`, { csrf, staged: '', action: 'stage', op: 'set_fte', actor_id: `${twin.label} — ${twin.id}`, fte: '0.5' });
    expect(stagedOf(chosen.html)).toEqual([{ op: 'set_fte', actor_id: twin.id, fte: 0.5 }]);
  });

  it('ignores case and accents, and ranks the start of a word before a match inside one', async () => {
    const sid = (await createScenario(big.ctx, { name: 'Suggest: accents' })).id;
    const unit = (await listOrgUnits(big.ctx, { type: 'team', limit: 1 })).page.items[0]!.id;
    await applyBatch(big.ctx, sid, [
      { op: 'add_actor', display_name: 'Zoë Ångström', kind: 'human', org_unit_id: unit },
      { op: 'add_actor', display_name: 'Ada Strömberg', kind: 'human', org_unit_id: unit },
    ]);
    expect((await suggest(big, sid, { kind: 'actor', q: 'ZOE angs' })).suggestions.map((s) => s.label)).toEqual(['Zoë Ångström']);
    const labels = (await suggest(big, sid, { kind: 'actor', q: 'strom' })).suggestions.map((s) => s.label);
    expect(labels).toContain('Ada Strömberg');
    expect(labels).toContain('Zoë Ångström');
    expect(labels.indexOf('Ada Strömberg')).toBeLessThan(labels.indexOf('Zoë Ångström'));
    // Not in Live: the scenario's own records are what it suggests.
    const live = (await createScenario(big.ctx, { name: 'Suggest: plain' })).id;
    expect((await suggest(big, live, { kind: 'actor', q: 'zoe angstrom' })).suggestions).toEqual([]);
  });

  it('gives a few suggestions in the page, with the address that finds the rest', async () => {
    const sid = (await createScenario(big.ctx, { name: 'Suggest: page' })).id;
    const { status, body: html } = await get(big, `/scenarios/${sid}/changes`);
    expect(status).toBe(200);
    const field = control(html, 'set_manager-actor_id');
    expect(field).toMatch(/^<input /);
    expect(field).toContain('list="list-actor"');
    expect(decode(field)).toContain(`data-suggest="/scenarios/${sid}/suggest?kind=actor"`);
    expect(html).toContain('<label for="set_manager-actor_id">Actor</label>');
    expect(decode(control(html, 'move_placement-placement_id'))).toContain(`data-suggest="/scenarios/${sid}/suggest?kind=placement"`);
    expect(decode(control(html, 'fill_position-position_id'))).toContain(`data-suggest="/scenarios/${sid}/suggest?kind=vacancy"`);
    expect(decode(control(html, 'close_position-position_id'))).toContain(`data-suggest="/scenarios/${sid}/suggest?kind=position"`);
    // A start of each list, not the list: every suggestion used to be in the page (over a megabyte at 10,000 actors).
    let weight = 0;
    for (const id of ['list-actor', 'list-placement', 'list-position', 'list-vacancy']) {
      const few = datalist(html, id)!;
      expect(few.length, id).toBeGreaterThan(0);
      expect(few.length, id).toBeLessThanOrEqual(20);
      weight += few.join('').length;
    }
    expect(weight).toBeLessThan(10_000);
    expect(html).not.toContain(late.label);
  });

  it('takes a unit typed by its own name, not its whole path, when no other unit has that name', async () => {
    const sid = (await createScenario(big.ctx, { name: 'Suggest: unit' })).id;
    const { items } = await everyPage((page) => listOrgUnits(big.ctx, { ...page, type: 'team' }), (r) => r.page);
    const named = new Map<string, number>();
    for (const u of items) named.set(u.name.toLowerCase(), (named.get(u.name.toLowerCase()) ?? 0) + 1);
    const team = items.find((u) => named.get(u.name.toLowerCase()) === 1)!;
    const page = (await get(big, `/scenarios/${sid}/changes`)).body;
    const moved = await post(big, `/scenarios/${sid}/changes`, { csrf: hiddenField(page, 'csrf'), staged: '', action: 'stage', op: 'add_placement', actor_id: late.name, org_unit_id: team.name.toUpperCase(), allocation_pct: '20' });
    expect(text(moved.html)).not.toContain('nothing here matches');
    expect(moved.status).toBe(200);
    expect(stagedOf(moved.html)).toEqual([{ op: 'add_placement', actor_id: late.id, org_unit_id: team.id, allocation_pct: 20 }]);
    // The suggestions find it by its name too, and give what the field sends.
    const [found] = (await suggest(big, sid, { kind: 'unit', q: team.name, types: 'team' })).suggestions;
    expect(found!.label).toMatch(new RegExp(` › ${team.name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(team\\)$`));
  });

  it('shows a person’s id handed in by a link as their name, wherever they are in the list', async () => {
    const sid = (await createScenario(big.ctx, { name: 'Suggest: linked' })).id;
    const linked = (await get(big, `/scenarios/${sid}/changes?op=set_fte&actor_id=${late.id}`)).body;
    expect(decode(control(linked, 'set_fte-actor_id'))).toContain(`value="${late.label}"`);
  });
});

describe('what the suggestions answer to whom', () => {
  it('refuses a kind or a search it does not know, saying which', async () => {
    const sid = (await createScenario(big.ctx, { name: 'Suggest: bad' })).id;
    const kind = await suggest(big, sid, { kind: 'salary', q: 'ann' });
    expect(kind.status).toBe(400);
    expect(kind.json.detail).toBe('Invalid kind: must be one of actor, placement, position, vacancy, unit');
    const empty = await suggest(big, sid, { kind: 'actor', q: '  ' });
    expect(empty.status).toBe(400);
    expect(empty.json.detail).toMatch(/^Invalid q: /);
    const types = await suggest(big, sid, { kind: 'unit', q: 'a', types: 'team,galaxy' });
    expect(types.status).toBe(400);
    expect(types.json.detail).toMatch(/^Invalid types: /);
    const teams = await suggest(big, sid, { kind: 'unit', q: 'a', types: 'team' });
    expect(teams.status).toBe(200);
    expect(teams.suggestions.length).toBeGreaterThan(0);
    for (const s of teams.suggestions) expect(s.label).toMatch(/\(team\)$/);
  });

  it('knows no scenario of another organisation, on either host', async () => {
    const mine = (await createScenario(big.ctx, { name: 'Suggest: mine' })).id;
    const theirs = (await createScenario(other.ctx, { name: 'Suggest: theirs' })).id;
    const here = await suggest(big, theirs, { kind: 'actor', q: 'a' });
    expect(here.status).toBe(404);
    expect(here.type).toContain('json');
    expect(here.body).not.toContain(other.tenant.name);
    // Their session on their host, asking for this organisation's scenario.
    const there = await suggest(other, mine, { kind: 'actor', q: late.name }, other.owner, other.host);
    expect(there.status).toBe(404);
    expect(there.body).not.toContain(late.name);
    // This organisation's session on their host is no session there.
    const crossed = await suggest(big, mine, { kind: 'actor', q: 'a' }, big.owner, other.host);
    expect(crossed.status).toBe(303);
    expect(crossed.location).toMatch(/^\/sign-in/);
  });

  it('sends a browser without a session to sign in, as the tray does', async () => {
    const sid = (await createScenario(big.ctx, { name: 'Suggest: signed out' })).id;
    const answer = await suggest(big, sid, { kind: 'actor', q: 'a' }, null);
    expect(answer.status).toBe(303);
    expect(answer.location).toBe(`/sign-in?return_to=${encodeURIComponent(`/scenarios/${sid}/suggest?kind=actor&q=a`)}`);
  });

  it('offers no placements or positions to a role that may not read them, and never a cost', async () => {
    const sid = (await createScenario(big.ctx, { name: 'Suggest: abilities' })).id;
    const q = { q: late.name.slice(0, 1) };
    const owner = {
      placement: await suggest(big, sid, { kind: 'placement', ...q }),
      position: await suggest(big, sid, { kind: 'position', q: 'a' }),
      vacancy: await suggest(big, sid, { kind: 'vacancy', q: 'a' }),
    };
    expect(owner.placement.suggestions.length).toBeGreaterThan(0);
    expect(owner.position.suggestions.length).toBeGreaterThan(0);
    for (const s of owner.vacancy.suggestions) expect(s.label).toMatch(/\(vacant\)$/);
    // Positions carry target pay the owner may read: the suggestions never say it.
    expect(owner.position.body).not.toMatch(/€|\bEUR\b|salary|day rate|target/i);
    await setRoleAbilities(database.db, big.tenant, 'member', DEFAULT_BUNDLES.member.filter((a) => a !== 'placements.read' && a !== 'positions.read'), { principal: null });
    try {
      for (const kind of ['placement', 'position', 'vacancy']) {
        const answer = await suggest(big, sid, { kind, q: 'a' }, big.member);
        expect(answer.status, kind).toBe(200);
        expect(answer.suggestions, kind).toEqual([]);
      }
      expect((await suggest(big, sid, { kind: 'actor', q: late.name }, big.member)).suggestions[0]?.label).toBe(late.label);
    } finally {
      await setRoleAbilities(database.db, big.tenant, 'member', [...DEFAULT_BUNDLES.member], { principal: null });
    }
  });
});
