import type { ServiceContext } from '../../src/context.js';
import type { Database } from '../../src/db/connection.js';
import type { Role } from '../../src/access/bundles.js';
import { tenantCurrencies } from '../../src/db/schema/index.js';
import { createScenario } from '../../src/scenarios/lifecycle.js';
import type { Tenant } from '../../src/tenancy/tenants.js';
import { hiddenField, signInThroughForm, testApp, type RequestOptions, type TestApp } from './app.js';
import { testDatabase } from './db.js';
import { buildMember, buildTenant, contextFor, memberToken, principalFor, tokenOf, writeGraph } from './factories.js';
import { buildFixtureOrg } from './fixture-org.js';

/**
 * A tenant on the hand-computed fixture organisation (`fixture-org.ts`), on a test database of its own and served
 * in-process at `<slug>.localhost`, for tests of pages and forms (signed-in members, pages read and forms posted as
 * a browser does, with the host's origin on posts, the change tray of a new scenario) and of the REST API (members'
 * personal tokens, JSON answers).
 */

export const PASSWORD = 'correct horse battery';

/** A JSON answer of the API: a `data` envelope, or a problem's fields. */
export type ApiBody = { data: any; [key: string]: any };

export interface ApiAnswer {
  status: number;
  body: ApiBody;
  etag: string | null;
}

export interface Page {
  status: number;
  html: string;
}

export interface FixtureSite {
  database: Database;
  /** The tenant, with the fixture organisation written to its Live. */
  tenant: Tenant;
  app: TestApp;
  /** `<slug>.localhost` */
  host: string;
  /** The owner's service context (no session). */
  ctx: ServiceContext;
  /** Signs a new member with `role` in through the sign-in form; the cookie to send back. */
  signIn(role: Role): Promise<string>;
  /** A new member with `role`, signed in through the form and holding a personal API token: the cookie and the token. */
  signInWithToken(role: Role): Promise<{ cookie: string; token: string }>;
  /** GET of a page as HTML. */
  get(path: string, cookie: string): Promise<Page>;
  /** A form post from the host's origin; its page and where it redirects to. */
  post(path: string, form: Record<string, string> | [string, string][], cookie: string): Promise<Page & { location: string | null }>;
  /** The secret of a personal API token of a new member with `role`. */
  token(role: Role): Promise<string>;
  /** A request to the API (`options.token` its credential); its status, JSON body and ETag. */
  api(path: string, options: RequestOptions): Promise<ApiAnswer>;
}

export async function fixtureSite(options: {
  slug: string;
  /** The tenant's name; 'Test Tenant' when left out. */
  name?: string;
  /** Salt of the fixture's ids (`fixtureIds(salt)`); the slug when left out. */
  salt?: string;
  /** Currencies the tenant has besides its reporting one, added before the organisation is written. */
  currencies?: { code: string; rateToReporting: number }[];
}): Promise<FixtureSite> {
  const database = await testDatabase();
  let tenant = await buildTenant(database, { slug: options.slug, name: options.name, plan: 'enterprise' });
  if (options.currencies?.length) await database.db.insert(tenantCurrencies).values(options.currencies.map((c) => ({ tenantId: tenant.id, ...c })));
  tenant = await writeGraph(database, tenant, buildFixtureOrg(options.salt ?? options.slug));
  const app = testApp(database);
  const host = `${options.slug}.localhost`;
  return {
    database,
    tenant,
    app,
    host,
    ctx: contextFor(database, tenant, principalFor(tenant, 'owner')),
    signIn: async (role) => signInThroughForm(app, host, (await buildMember(database, tenant, role, { password: PASSWORD })).email, PASSWORD),
    signInWithToken: async (role) => {
      const user = await buildMember(database, tenant, role, { password: PASSWORD });
      return { cookie: await signInThroughForm(app, host, user.email, PASSWORD), token: await tokenOf(database, tenant, user, role) };
    },
    get: async (path, cookie) => {
      const response = await app.request(path, { host, cookie, headers: { accept: 'text/html' } });
      return { status: response.status, html: await response.text() };
    },
    post: async (path, form, cookie) => {
      const response = await app.request(path, { host, cookie, headers: { origin: `http://${host}`, accept: 'text/html' }, form });
      return { status: response.status, html: await response.text(), location: response.headers.get('location') };
    },
    token: (role) => memberToken(database, tenant, role),
    api: async (path, requestOptions) => {
      const response = await app.request(path, { host, ...requestOptions });
      return { status: response.status, body: (await response.json()) as ApiBody, etag: response.headers.get('etag') };
    },
  };
}

/** The change tray of a new scenario named `name`, as `cookie` sees it: its page, CSRF token, and staging a change. */
export async function openTray(site: FixtureSite, name: string, cookie: string) {
  const sid = (await createScenario(site.ctx, { name })).id;
  const page = (await site.get(`/scenarios/${sid}/changes`, cookie)).html;
  const csrf = hiddenField(page, 'csrf');
  const stage = (staged: string, form: Record<string, string>) => site.post(`/scenarios/${sid}/changes`, { csrf, staged, action: 'stage', ...form }, cookie);
  return { sid, csrf, page, stage };
}

/** The staged changes a tray page carries (its hidden `staged` field), as JSON text. */
export const stagedOf = (html: string) => html.match(/name="staged" value="([^"]*)"/)![1]!.replaceAll('&quot;', '"');
