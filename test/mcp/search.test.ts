import { describe, expect, it } from 'vitest';
import { withAssistant, structured, type Connection, type McpWorld } from './support.js';

/**
 * `search` as an assistant uses it on the fixture org (Fixture Co › Engineering › Platform, Mobile; Sales › Field;
 * people p1, p2, m1, eng_head, sales_head, … at `<key>@fixture.test`): relevant records only, best first, each
 * with the reason it matched.
 */

let world: McpWorld;
let assistant: Connection;

withAssistant((w, a) => {
  world = w;
  assistant = a;
});

type Result = { id: string; title: string; url: string; reason: string };
type Results = { results: Result[]; note?: string; did_you_mean?: Result[] };
const search = async (query: string) => structured<Results>(await assistant.call('search', { query }));
const answers = async (query: string) => (await search(query)).results.map((r) => [r.title, r.reason]);

describe('search', () => {
  it('answers a team name, a department and part of a name with the records it names, saying why', async () => {
    expect(await answers('Platform')).toEqual([['Platform (team)', 'name is the query']]);
    expect(await answers('engineering department')).toEqual([['Engineering (department)', 'name: engineering; type: department']]);
    // Part of a name: the unit and the people whose names start with it — not every department whose type has a "p".
    expect(await answers('p')).toEqual([
      ['Platform (team)', 'name starts with "p"'],
      ['p1', 'name starts with "p"'],
      ['p2', 'name starts with "p"'],
    ]);
    const { results } = await search('eng');
    expect(results.map((r) => r.id)).toEqual([`org-unit:${world.ids.units.E}`, `actor:${world.ids.id('eng_head')}`]);
  });

  it('leaves out records found only by their type, kind or email domain when others have the words in their own text', async () => {
    // Everyone's email is at fixture.test: the company is the answer, not the whole staff.
    expect(await answers('fixture')).toEqual([['Fixture Co (company)', 'name starts with "fixture"']]);
    // No record has every word: Platform has two of them; Mobile and Field are teams too, which says nothing.
    expect(await answers('platform team lead')).toEqual([['Platform (team)', '2 of 3 words, not "lead" — name: platform; type: team']]);
    // A type alone still lists its records when nothing has the word in its own text.
    expect((await answers('teams')).map(([title]) => title)).toEqual(['Field (team)', 'Mobile (team)', 'Platform (team)']);
  });

  it('ranks the best match first across units and people, and says what to try when nothing matches', async () => {
    expect(await answers('head of sales')).toEqual([
      ['sales_head', 'every word (filler aside) — name: head, sales'],
      ['Sales (department)', '1 of 2 words, not "head" — name: sales'],
      ['eng_head', '1 of 2 words, not "sales" — name: head'],
    ]);
    const none = await search('human resources team');
    expect(none.results).toEqual([]);
    expect(none.note).toContain('Try part of a name');
    expect(none.note).toContain('`org_actors_list`');
    expect(await search('Platform')).not.toHaveProperty('note');
  });

  it('offers the names a one-word query that matches nothing may have meant ("Dana" for Daniel), never as matches', async () => {
    const near = await search('Platypus');
    expect(near.results).toEqual([]);
    expect(near.did_you_mean).toEqual([
      { id: `org-unit:${world.ids.units.P}`, title: 'Platform (team)', url: expect.stringContaining(world.ids.units.P), reason: 'name starts with "plat"' },
    ]);
    expect(near.note).toBe(
      'Nothing has "platypus" in a name, title, code or email. The nearest start with "plat" (did_you_mean): Platform (team). ' +
        'Ask the person whether they meant one of them before using its id.',
    );
    // The id offered is one fetch takes.
    const fetched = structured<{ title: string }>(await assistant.call('fetch', { id: near.did_you_mean![0]!.id }));
    expect(fetched.title).toBe('Platform');
    // The longest beginning that names something wins; a question of several words, or one sharing no three letters, gets the hint instead.
    expect((await search('salesforce')).did_you_mean!.map((r) => r.title)).toEqual(['Sales (department)', 'sales_head']);
    for (const query of ['human resources team', 'xyzzy']) {
      const none = await search(query);
      expect(none).not.toHaveProperty('did_you_mean');
      expect(none.note).toContain('Try part of a name');
    }
  });
});
