import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/connection.js';
import { seedOrganisation } from '../../src/db/seed/organisation.js';
import { createScenario } from '../../src/scenarios/lifecycle.js';
import { listActors } from '../../src/org/read-people.js';
import type { ServiceContext } from '../../src/context.js';
import type { Tenant } from '../../src/tenancy/tenants.js';
import { hiddenField, signInThroughForm, testApp, type TestApp } from '../support/app.js';
import { testDatabase } from '../support/db.js';
import { buildMember, buildTenant, contextFor, principalFor } from '../support/factories.js';

/**
 * The change tray of a large organisation (SPEC §6): above 50 records a field naming a person is typed, with the
 * start of a suggestion list the page gives once (the rest asked for as one types), instead of a dropdown repeated in
 * every form. What a planner gets there: people named and identified in the suggestions, a typed name or a
 * pasted id staged as a choice would be, a clear refusal of a name nobody has, and staged hires suggested too. And
 * the switch from a dropdown depends on the organisation, not on the hires the tray stages.
 */

let database: Database;
let app: TestApp;
const PASSWORD = 'correct horse battery';

interface Org {
  tenant: Tenant;
  host: string;
  ctx: ServiceContext;
  cookie: string;
}

async function orgOf(slug: string, actors: number): Promise<Org> {
  const tenant = await buildTenant(database, { slug, name: slug, plan: 'enterprise' });
  await seedOrganisation(database.db, tenant, { actors });
  const host = `${slug}.localhost`;
  const cookie = await signInThroughForm(app, host, (await buildMember(database, tenant, 'owner', { password: PASSWORD })).email, PASSWORD);
  return { tenant, host, ctx: contextFor(database, tenant, principalFor(tenant, 'owner')), cookie };
}

async function get(org: Org, path: string) {
  const response = await app.request(path, { host: org.host, cookie: org.cookie, headers: { accept: 'text/html' } });
  return { status: response.status, html: await response.text() };
}

async function post(org: Org, path: string, form: Record<string, string>) {
  const response = await app.request(path, { host: org.host, cookie: org.cookie, headers: { origin: `http://${org.host}`, accept: 'text/html' }, form });
  return { status: response.status, html: await response.text() };
}

const decode = (s: string) => s.replaceAll('&quot;', '"').replaceAll('&#39;', "'").replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&amp;', '&');

/** The page's text, tags dropped and spaces folded, to assert on what a person reads. */
const text = (html: string) =>
  decode(
    html
      .replace(/<(script|style)[\s\S]*?<\/\1>/g, '')
      .replace(/<(datalist)[\s\S]*?<\/\1>/g, '')
      .replace(/<[^>]+>/g, ' '),
  ).replace(/\s+/g, ' ');

const stagedOf = (html: string) => decode(html.match(/name="staged" value="([^"]*)"/)![1]!);

/** The opening tag of the control with this id (`set_manager-actor_id`). */
const control = (html: string, id: string) => new RegExp(`<(input|select) id="${id}"[^>]*>`).exec(html)![0];

/** The suggestions of a datalist, as typed values ("Name · Title", "Name · Title — <id>" when two read alike). */
const suggestions = (html: string, listId: string) => {
  const list = new RegExp(`<datalist id="${listId}">([\\s\\S]*?)</datalist>`).exec(html);
  return list ? [...list[1]!.matchAll(/<option value="([^"]*)"/g)].map((m) => decode(m[1]!)) : [];
};

/** The options of a select, as [value, label]. */
const selectOptions = (html: string, id: string) => {
  const select = new RegExp(`<select id="${id}"[^>]*>([\\s\\S]*?)</select>`).exec(html);
  return [...select![1]!.matchAll(/<option value="([^"]*)"[^>]*>([^<]*)<\/option>/g)].map((m) => [decode(m[1]!), decode(m[2]!)] as const).filter(([v]) => v !== '');
};

/** People whose name nobody else in the suggestions has: [name, id], their ids read from the organisation. */
async function uniquelyNamed(org: Org, options: string[]): Promise<[string, string][]> {
  const { items } = (await listActors(org.ctx, { limit: 500 })).page;
  const idOf = new Map(items.map((a) => [a.title ? `${a.display_name} · ${a.title}` : a.display_name, a.id]));
  const people = options.map((o) => {
    const [label, id] = o.split(' — ') as [string, string | undefined];
    return [label.split(' · ')[0]!, id ?? idOf.get(label) ?? '$unknown'] as [string, string];
  });
  const seen = new Map<string, number>();
  for (const [name] of people) seen.set(name, (seen.get(name) ?? 0) + 1);
  return people.filter(([name, id]) => seen.get(name) === 1 && !id.startsWith('$'));
}

/** The suggestion a person's field offers for them: their label ("Name · Title"). */
const suggestionFor = (options: string[], name: string) => options.find((o) => o === name || o.startsWith(`${name} · `))!;

let large: Org;
let edge: Org;
let demo: Org;

beforeAll(async () => {
  database = await testDatabase();
  app = testApp(database);
  large = await orgOf('traylarge', 320);
  edge = await orgOf('trayedge', 50);
  demo = await orgOf('traydemo', 300);
}, 120_000);
afterAll(() => database?.close());

describe('an actor field in the tray of an organisation of 320 actors', () => {
  it('is a labelled typed field bound to suggestions carrying each person’s name, and an id where two read alike', async () => {
    const sid = (await createScenario(large.ctx, { name: 'Large: fields' })).id;
    const html = (await get(large, `/scenarios/${sid}/changes`)).html;
    const field = control(html, 'set_manager-actor_id');
    expect(field).toMatch(/^<input /);
    expect(field).toContain('list="list-actor"');
    // A placeholder short enough to fit the field; the rest of the guidance is the tray's hint, read with the field.
    expect(field).toContain('placeholder="Type to search"');
    expect(field).toContain('aria-describedby="typed-fields-hint"');
    expect(html).toContain('<p class="hint" id="typed-fields-hint">A field reading “Type to search” suggests records as you type part of a name: pick one, or paste a record’s id.</p>');
    expect(html).toContain('<label for="set_manager-actor_id">Actor</label>');
    // Every actor field types into the same list, given once.
    expect(control(html, 'set_fte-actor_id')).toContain('list="list-actor"');
    expect(control(html, 'add_actor-manager_id')).toContain('list="list-actor"');
    expect(html.match(/<datalist id="list-actor">/g)).toHaveLength(1);
    // The start of the list (the rest is asked for as one types: test/web/tray-suggest.test.ts).
    expect(control(html, 'set_manager-actor_id')).toContain(`data-suggest="/scenarios/${sid}/suggest?kind=actor"`);
    const options = suggestions(html, 'list-actor');
    expect(options).toHaveLength(20);
    // Each suggestion reads differently; an id is added only to a label another person has too.
    expect(new Set(options).size).toBe(options.length);
    const { items } = (await listActors(large.ctx, { limit: 500 })).page;
    const labels = items.map((a) => (a.title ? `${a.display_name} · ${a.title}` : a.display_name));
    for (const option of options) {
      const [label, id] = option.split(' — ');
      if (id) expect(option).toMatch(/^[^—]+ — [0-9a-f-]{36}$/);
      expect(labels.filter((l) => l === label).length > 1, option).toBe(id !== undefined);
    }
    const [name] = (await uniquelyNamed(large, options))[0]!;
    expect(suggestionFor(options, name)).not.toContain(' — ');
  });

  it('stages a change from a typed name or a pasted id, as a choice from a list would', async () => {
    const sid = (await createScenario(large.ctx, { name: 'Large: typed' })).id;
    const page = (await get(large, `/scenarios/${sid}/changes`)).html;
    const csrf = hiddenField(page, 'csrf');
    const [[who, whoId], [boss, bossId], [other]] = await uniquelyNamed(large, suggestions(page, 'list-actor')) as [string, string][];
    // A name typed without picking a suggestion, and a manager's id pasted in.
    const managed = await post(large, `/scenarios/${sid}/changes`, { csrf, staged: '', action: 'stage', op: 'set_manager', actor_id: who, manager_id: bossId });
    expect(managed.status).toBe(200);
    expect(text(managed.html)).toContain(`${who} reports to ${boss}`);
    expect(JSON.parse(stagedOf(managed.html))).toEqual([{ op: 'set_manager', actor_id: whoId, manager_id: bossId }]);
    // Case and spaces around a name do not matter; nor does picking the full suggestion.
    const fte = await post(large, `/scenarios/${sid}/changes`, { csrf, staged: stagedOf(managed.html), action: 'stage', op: 'set_fte', actor_id: `  ${other!.toUpperCase()} `, fte: '0.8' });
    expect(fte.status).toBe(200);
    expect(text(fte.html)).toContain(`Set ${other}’s FTE to 0.8`);
    const picked = suggestionFor(suggestions(page, 'list-actor'), who!);
    const again = await post(large, `/scenarios/${sid}/changes`, { csrf, staged: stagedOf(fte.html), action: 'stage', op: 'set_fte', actor_id: picked, fte: '0.5' });
    expect(text(again.html)).toContain(`Set ${who}’s FTE to 0.5`);
    expect(text(again.html)).toContain('Tray: 3 staged changes');
  });

  it('refuses a name or an id nobody has on its own field, keeping what was typed and the tray', async () => {
    const sid = (await createScenario(large.ctx, { name: 'Large: unknown' })).id;
    const page = (await get(large, `/scenarios/${sid}/changes`)).html;
    const csrf = hiddenField(page, 'csrf');
    const [[who]] = await uniquelyNamed(large, suggestions(page, 'list-actor')) as [string, string][];
    const first = await post(large, `/scenarios/${sid}/changes`, { csrf, staged: '', action: 'stage', op: 'set_fte', actor_id: who!, fte: '0.9' });
    const refused = await post(large, `/scenarios/${sid}/changes`, { csrf, staged: stagedOf(first.html), action: 'stage', op: 'set_manager', actor_id: 'Nobody Atall', manager_id: who! });
    expect(refused.status).toBe(400);
    expect(text(refused.html)).toContain('Actor: nothing here matches “Nobody Atall”; pick one of the suggestions.');
    const field = control(refused.html, 'set_manager-actor_id');
    expect(field).toContain('aria-invalid="true"');
    expect(field).toContain('aria-describedby="op-set_manager-error typed-fields-hint"');
    expect(field).toContain('value="Nobody Atall"');
    expect(refused.html).toContain('<p class="notice error" role="alert" id="op-set_manager-error">');
    // The form stays open with the tray as it was.
    expect(refused.html).toContain('<details id="op-set_manager" class="card op" open="">');
    expect(text(refused.html)).toContain('Tray: 1 staged change');
    expect(text(refused.html)).toContain(`Set ${who}’s FTE to 0.9`);
    const pasted = await post(large, `/scenarios/${sid}/changes`, { csrf, staged: stagedOf(first.html), action: 'stage', op: 'set_manager', actor_id: '00000000-0000-4000-8000-000000000000', manager_id: who! });
    // An id pasted for nobody in the scenario: the service's refusal, on the same field.
    expect(pasted.status).toBe(400);
    expect(text(pasted.html)).toContain('Actor: no actor with id "00000000-0000-4000-8000-000000000000" in this scenario');
    expect(control(pasted.html, 'set_manager-actor_id')).toContain('aria-invalid="true"');
    expect(text(pasted.html)).toContain('Tray: 1 staged change');
  });

  it('takes a person’s whole name over a longer name it begins (a hire “<name> Junior”)', async () => {
    const sid = (await createScenario(large.ctx, { name: 'Large: prefix' })).id;
    const page = (await get(large, `/scenarios/${sid}/changes`)).html;
    const csrf = hiddenField(page, 'csrf');
    const [[who, whoId], [other, otherId]] = await uniquelyNamed(large, suggestions(page, 'list-actor')) as [string, string][];
    const unit = suggestions(page, 'list-unit')[0] ?? selectOptions(page, 'add_actor-org_unit_id')[0]![0];
    const hired = await post(large, `/scenarios/${sid}/changes`, { csrf, staged: '', action: 'stage', op: 'add_actor', display_name: `${who} Junior`, kind: 'human', org_unit_id: unit });
    const managed = await post(large, `/scenarios/${sid}/changes`, { csrf, staged: stagedOf(hired.html), action: 'stage', op: 'set_manager', actor_id: other!, manager_id: who! });
    expect(managed.status).toBe(200);
    expect(JSON.parse(stagedOf(managed.html))[1]).toMatchObject({ op: 'set_manager', actor_id: otherId, manager_id: whoId });
    // The hire is typed by their own whole name.
    const junior = await post(large, `/scenarios/${sid}/changes`, { csrf, staged: stagedOf(managed.html), action: 'stage', op: 'set_manager', actor_id: `${who} Junior`, manager_id: who! });
    expect(JSON.parse(stagedOf(junior.html))[2]).toMatchObject({ op: 'set_manager', actor_id: '$hire-1', manager_id: whoId });
    // A name two people have (a hire of the same name) is not guessed: the field says so.
    const twin = await post(large, `/scenarios/${sid}/changes`, { csrf, staged: stagedOf(junior.html), action: 'stage', op: 'add_actor', display_name: other!, kind: 'human', org_unit_id: unit });
    const either = await post(large, `/scenarios/${sid}/changes`, { csrf, staged: stagedOf(twin.html), action: 'stage', op: 'set_fte', actor_id: other!, fte: '0.5' });
    expect(either.status).toBe(400);
    expect(text(either.html)).toContain(`Actor: “${other}” matches 2; pick one of the suggestions.`);
    expect(control(either.html, 'set_fte-actor_id')).toContain('aria-invalid="true"');
  });

  it('shows an id a link hands in (an actor page’s Change FTE) as that person’s suggestion, and stages it', async () => {
    const sid = (await createScenario(large.ctx, { name: 'Large: linked' })).id;
    const page = (await get(large, `/scenarios/${sid}/changes`)).html;
    const [[who, whoId]] = await uniquelyNamed(large, suggestions(page, 'list-actor')) as [string, string][];
    const linked = (await get(large, `/scenarios/${sid}/changes?op=set_fte&actor_id=${whoId}`)).html;
    const shown = suggestionFor(suggestions(page, 'list-actor'), who!);
    expect(shown.startsWith(who!)).toBe(true);
    expect(decode(control(linked, 'set_fte-actor_id'))).toContain(`value="${shown}"`);
    const staged = await post(large, `/scenarios/${sid}/changes`, { csrf: hiddenField(linked, 'csrf'), staged: '', action: 'stage', op: 'set_fte', actor_id: shown, fte: '0.8' });
    expect(JSON.parse(stagedOf(staged.html))).toEqual([{ op: 'set_fte', actor_id: whoId, fte: 0.8 }]);
  });

  it('suggests a hire staged in the tray, who can then be typed by name', async () => {
    const sid = (await createScenario(large.ctx, { name: 'Large: hire' })).id;
    const page = (await get(large, `/scenarios/${sid}/changes`)).html;
    const csrf = hiddenField(page, 'csrf');
    const [[who, whoId]] = await uniquelyNamed(large, suggestions(page, 'list-actor')) as [string, string][];
    const unit = suggestions(page, 'list-unit')[0] ?? selectOptions(page, 'add_actor-org_unit_id')[0]![0];
    const hired = await post(large, `/scenarios/${sid}/changes`, { csrf, staged: '', action: 'stage', op: 'add_actor', display_name: 'Lena Lead', kind: 'human', org_unit_id: unit });
    expect(hired.status).toBe(200);
    expect(suggestions(hired.html, 'list-actor')).toContain('Lena Lead (staged hire)');
    expect(control(hired.html, 'set_manager-manager_id')).toContain('list="list-actor"');
    const managed = await post(large, `/scenarios/${sid}/changes`, { csrf, staged: stagedOf(hired.html), action: 'stage', op: 'set_manager', actor_id: who!, manager_id: 'Lena Lead' });
    expect(managed.status).toBe(200);
    expect(text(managed.html)).toContain(`${who} reports to Lena Lead`);
    expect(JSON.parse(stagedOf(managed.html))[1]).toMatchObject({ op: 'set_manager', actor_id: whoId, manager_id: '$hire-1' });
  });
});

describe('an actor field in the tray of an organisation of exactly 50 actors', () => {
  it('stays a dropdown when the tray stages a hire: the organisation’s size decides, not the tray', async () => {
    const sid = (await createScenario(edge.ctx, { name: 'Edge: hire' })).id;
    const page = (await get(edge, `/scenarios/${sid}/changes`)).html;
    expect(control(page, 'set_manager-actor_id')).toMatch(/^<select /);
    expect(selectOptions(page, 'set_manager-actor_id')).toHaveLength(50);
    const csrf = hiddenField(page, 'csrf');
    const unit = selectOptions(page, 'add_actor-org_unit_id')[0]![0];
    const hired = await post(edge, `/scenarios/${sid}/changes`, { csrf, staged: '', action: 'stage', op: 'add_actor', display_name: 'Lena Lead', kind: 'human', org_unit_id: unit });
    expect(hired.status).toBe(200);
    for (const id of ['set_manager-actor_id', 'set_manager-manager_id', 'set_fte-actor_id', 'add_actor-manager_id']) {
      expect(control(hired.html, id), id).toMatch(/^<select /);
    }
    const options = selectOptions(hired.html, 'set_manager-manager_id');
    expect(options).toHaveLength(51);
    expect(options[0]).toEqual(['$hire-1', 'Lena Lead (staged hire)']);
    expect(hired.html).not.toContain('<datalist id="list-actor">');
  });
});

describe('the tray of a demo-size organisation (300 actors)', () => {
  it('gives the start of the people list once for the page, each person named once, not once per form', async () => {
    const sid = (await createScenario(demo.ctx, { name: 'Demo: weight' })).id;
    const { status, html } = await get(demo, `/scenarios/${sid}/changes`);
    expect(status).toBe(200);
    // Every field naming a person types into the one list of people (the forms that name one: about ten fields).
    const personFields = [...html.matchAll(/<input id="([a-z_]+-(?:actor_id|manager_id|reports_to|lead_actor_id))"[^>]*>/g)];
    expect(personFields.length).toBeGreaterThanOrEqual(8);
    for (const [tag, id] of personFields) expect(tag, id).toContain('list="list-actor"');
    expect(html).not.toMatch(/<select id="[a-z_]+-(?:actor_id|manager_id|reports_to|lead_actor_id)"/);
    expect(html.match(/<datalist id="list-actor">/g)).toHaveLength(1);
    const people = suggestions(html, 'list-actor');
    expect(people).toHaveLength(20);
    // A person is named once in the whole page: in the list, not again in each form.
    const [who] = (await uniquelyNamed(demo, people))[0]!;
    const named = suggestionFor(people, who);
    expect(html.split(`"${named.replaceAll('&', '&amp;').replaceAll('"', '&quot;')}"`).length - 1).toBe(1);
    // The page stays within bounds (about 130 KB here, mostly its unit dropdowns): each form carrying its own list of
    // 300 people weighed several hundred KB, and the list of people once 165 KB.
    expect(html.length).toBeLessThan(150_000);
  });
});
