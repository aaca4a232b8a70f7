import { Layout } from '../web/layout.js';
import { describeScope, MCP_SCOPE } from './scopes.js';

/** The pages of the authorization server: consent, refusal, and errors that must not redirect. */

export interface ConsentView {
  action: string;
  csrf: { name: string; value: string };
  clientName: string;
  /** 'dynamic' and 'metadata_document' clients registered themselves: shown as unverified. */
  clientKind: 'dynamic' | 'metadata_document' | 'preregistered';
  clientIdHost: string | null;
  redirectHost: string;
  nativeRedirect: boolean;
  tenantName: string;
  host: string;
  userEmail: string;
  role: string;
  scopes: { scope: string; outsideRole: boolean }[];
}

export function ConsentPage(props: { view: ConsentView }) {
  const v = props.view;
  const abilityScopes = v.scopes.filter((s) => s.scope !== MCP_SCOPE);
  return (
    <Layout title={`Allow ${v.clientName}?`} tenantName={v.tenantName}>
      <section class="card narrow consent">
        <h1>
          Allow <span class="client-name">{v.clientName}</span> to use Orgonaut?
        </h1>
        <p>
          {v.clientKind === 'preregistered' ? (
            <span class="badge">verified app</span>
          ) : (
            <span class="badge warning">unverified</span>
          )}{' '}
          {v.clientKind === 'metadata_document' && v.clientIdHost
            ? `This app describes itself from ${v.clientIdHost}; Orgonaut has not verified who publishes it.`
            : v.clientKind === 'dynamic'
              ? 'This app registered itself; Orgonaut has not verified who publishes it.'
              : null}
        </p>
        <dl class="facts">
          <dt>Organisation</dt>
          <dd>
            {v.tenantName} <span class="hint">({v.host})</span>
          </dd>
          <dt>Signed in as</dt>
          <dd>
            {v.userEmail} <span class="hint">({v.role})</span>
          </dd>
          <dt>After you decide, you go to</dt>
          <dd>
            <code>{v.redirectHost}</code>
          </dd>
        </dl>
        {v.nativeRedirect ? (
          <p class="warning" role="note">
            This app receives the answer on your own computer. Continue only if you started this connection yourself
            just now.
          </p>
        ) : null}
        <h2>It will be able to</h2>
        <ul class="scopes">
          <li>{describeScope(MCP_SCOPE)}</li>
          {abilityScopes.length ? (
            <li>
              limited to:
              <ul>
                {abilityScopes.map((s) => (
                  <li>
                    {describeScope(s.scope)}
                    {s.outsideRole ? <span class="hint"> (your role does not include this, so it will not apply)</span> : null}
                  </li>
                ))}
              </ul>
            </li>
          ) : null}
        </ul>
        <p class="hint">You can disconnect it at any time in Settings → API and MCP.</p>
        <form method="post" action={v.action} class="actions">
          <input type="hidden" name={v.csrf.name} value={v.csrf.value} />
          <button type="submit" name="decision" value="allow">
            Allow
          </button>
          <button type="submit" name="decision" value="deny" class="secondary">
            Deny
          </button>
        </form>
        <form method="post" action="/sign-out" class="inline hint">
          <input type="hidden" name={v.csrf.name} value={v.csrf.value} />
          <input type="hidden" name="return_to" value={v.action} />
          Not {v.userEmail}?{' '}
          <button type="submit" class="link">
            Use another account
          </button>
        </form>
      </section>
    </Layout>
  );
}

/** A signed-in user who may not authorise apps here (not an active member of this tenant). */
export function NotMemberPage(props: {
  action: string;
  csrf: { name: string; value: string };
  tenantName: string;
  userEmail: string;
  clientName: string;
  /** Set when the person is a member whose role lacks `mcp.access`: the role's name. */
  roleWithoutMcp?: string;
}) {
  return (
    <Layout title="No access" tenantName={props.tenantName}>
      <section class="card narrow" role="alert">
        <h1>You cannot connect apps to {props.tenantName}</h1>
        {props.roleWithoutMcp ? (
          <>
            <p>
              The {props.roleWithoutMcp} role of {props.userEmail} in {props.tenantName} does not include MCP access
              (mcp.access), so {props.clientName} cannot be given access to it.
            </p>
            <p class="hint">
              Ask an owner or admin of {props.tenantName} to give the {props.roleWithoutMcp} role mcp.access (Settings →
              Members, what each role can do), or sign in with another account.
            </p>
          </>
        ) : (
          <>
            <p>
              {props.userEmail} is not an active member of {props.tenantName}, so {props.clientName} cannot be given
              access to it.
            </p>
            <p class="hint">Ask an owner or admin of {props.tenantName} to invite you, or sign in with another account.</p>
          </>
        )}
        <form method="post" action={props.action} class="actions">
          <input type="hidden" name={props.csrf.name} value={props.csrf.value} />
          <button type="submit" name="decision" value="deny">
            Return to {props.clientName}
          </button>
        </form>
        <form method="post" action="/sign-out" class="inline">
          <input type="hidden" name={props.csrf.name} value={props.csrf.value} />
          <input type="hidden" name="return_to" value={props.action} />
          <button type="submit" class="secondary">
            Use another account
          </button>
        </form>
      </section>
    </Layout>
  );
}

/** An authorization request that cannot continue and must not redirect (unknown client, redirect URI, expired). */
export function OAuthErrorPage(props: { title: string; message: string; fix: string; tenantName?: string | null }) {
  return (
    <Layout title={props.title} tenantName={props.tenantName}>
      <section class="card narrow" role="alert">
        <h1>{props.title}</h1>
        <p>{props.message}</p>
        <p class="hint">{props.fix}</p>
      </section>
    </Layout>
  );
}

/** Renders a page component (its Layout writes the doctype) to a string, for oidc-provider, which writes to Node directly. */
export async function renderDocument(node: { toString(): string | Promise<string> }): Promise<string> {
  return String(await node.toString());
}

/**
 * What a person reads when oidc-provider refuses an authorization request before the client and its redirect URI
 * are trusted: the failure in plain words and what to do, the OAuth error kept for whoever debugs the app.
 */
export function providerErrorPage(out: { error: string; error_description?: string }, tenantName: string, mcpUrl: string) {
  const technical = out.error_description ? `${out.error_description} (${out.error})` : out.error;
  const plain = PLAIN_ERRORS[out.error === 'invalid_redirect_uri' ? 'redirect' : out.error];
  return OAuthErrorPage({
    title: 'This connection request cannot continue',
    message: plain ? `${plain.message(tenantName)} Details: ${technical}.` : `${technical}.`,
    fix: plain?.fix(mcpUrl) ?? 'Start connecting again from the app. If it keeps failing, tell the app’s publisher: its request is not valid.',
    tenantName,
  });
}

const PLAIN_ERRORS: Record<string, { message: (tenant: string) => string; fix: (mcpUrl: string) => string }> = {
  invalid_client: {
    message: (tenant) => `The app that sent you here is not registered with ${tenant}: it may have registered at another organisation’s address, or its registration was removed.`,
    fix: (mcpUrl) => `In the app, remove the Orgonaut connection and add it again with ${mcpUrl}.`,
  },
  redirect: {
    message: () => 'The app asked Orgonaut to send you back to an address it did not register, so Orgonaut stops here to keep your account safe.',
    fix: () => 'Start connecting again from the app. If it keeps failing, the app is misconfigured: it must register its return address exactly; tell its publisher.',
  },
};
