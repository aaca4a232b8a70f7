import type { Context } from 'hono';
import type { Child } from 'hono/jsx';
import type { AppEnv } from '../../http/env.js';
import { Layout } from '../../web/layout.js';
import type { OpenApiDocument } from './openapi-doc.js';

/**
 * `/docs/api`: the REST reference as a page, server-rendered from the OpenAPI document — each operation with its
 * method, path, summary, required abilities, parameters and examples (a curl call, the request body, the response
 * with the headers it declares, and each error's problem). No CDN and no inline script or style (the CSP forbids them): classes of /static/app.css only.
 */

type Json = Record<string, any>;
interface Operation {
  method: string;
  path: string;
  op: Json;
  anchor: string;
  /** The document's `components.headers`, which a response's `$ref` headers point into. */
  sharedHeaders: Record<string, Json>;
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

/**
 * A preformatted example as one shaded block (app.css's `pre.mono`; long lines wrap). A `<code>` inside it took the
 * inline-code style line by line: a ragged stripe behind each line instead of a block.
 */
function Example(props: { text: string }): Child {
  return <pre class="mono">{props.text}</pre>;
}

/** Text with `code` spans (the descriptions' only markup). */
function Text(props: { text: string | undefined }): Child {
  if (!props.text) return null;
  return (
    <>
      {props.text.split('`').map((part, i) => (i % 2 ? <code>{part}</code> : part))}
    </>
  );
}

function operationsByTag(doc: OpenApiDocument): Map<string, Operation[]> {
  const groups = new Map<string, Operation[]>();
  const sharedHeaders = ((doc.components as Json | undefined)?.headers ?? {}) as Record<string, Json>;
  for (const [path, item] of Object.entries((doc.paths ?? {}) as Record<string, Json>)) {
    for (const method of METHODS) {
      const op: Json | undefined = item[method];
      if (!op) continue;
      const tag = (op.tags?.[0] as string | undefined) ?? 'Other';
      const anchor = `${method}-${path}`.replace(/[^a-zA-Z0-9]+/g, '-').replace(/-+$/, '').toLowerCase();
      groups.set(tag, [...(groups.get(tag) ?? []), { method, path, op, anchor, sharedHeaders }]);
    }
  }
  return groups;
}

function typeOf(schema: Json | undefined): string {
  if (!schema) return '';
  if (schema.enum) return (schema.enum as unknown[]).map(String).join(' | ');
  const type = Array.isArray(schema.type) ? schema.type.filter((t: string) => t !== 'null').join(' | ') : schema.type;
  return [type ?? 'string', schema.format ? `(${schema.format})` : ''].filter(Boolean).join(' ');
}

function exampleValue(parameter: Json): unknown {
  return parameter.example ?? parameter.schema?.example;
}

/** A curl call: path parameters filled in, query parameters that have an example (except paging), the body. */
export function curlExample(origin: string, method: string, path: string, op: Json): string {
  const parameters = (op.parameters ?? []) as Json[];
  let url = path;
  for (const p of parameters.filter((p) => p.in === 'path')) url = url.replace(`{${p.name}}`, String(exampleValue(p) ?? `<${p.name}>`));
  const query = parameters
    .filter((p) => p.in === 'query' && !['limit', 'cursor', 'scenario_id', 'as_of'].includes(p.name) && exampleValue(p) !== undefined)
    .slice(0, 2)
    .map((p) => `${encodeURIComponent(p.name)}=${encodeURIComponent(String(exampleValue(p)))}`);
  const lines = [`curl${method === 'get' ? '' : ` -X ${method.toUpperCase()}`} '${origin}${url}${query.length ? `?${query.join('&')}` : ''}'`];
  // Bearer-authenticated operations only: a signed webhook sends its signature headers instead.
  if ((op.security as unknown[] | undefined)?.length) lines.push('  -H "Authorization: Bearer $ORGONAUT_TOKEN"');
  // If-Match and If-None-Match are optional, and an example tag would only ever be stale: the call is shown without them.
  for (const p of parameters.filter((p) => p.in === 'header' && p.name !== 'If-Match' && p.name !== 'If-None-Match')) lines.push(`  -H '${p.name}: ${String(exampleValue(p) ?? `<${p.name}>`)}'`);
  const content = (op.requestBody?.content ?? {}) as Json;
  const body = content['application/json']?.example;
  const files = Object.entries((content['multipart/form-data']?.schema?.properties ?? {}) as Record<string, Json>).filter(([, s]) => s.format === 'binary');
  if (body !== undefined) {
    lines.push(`  -H 'Content-Type: application/json'`);
    lines.push(`  -d '${JSON.stringify(body).replaceAll("'", "'\\''")}'`);
  } else if (files.length) {
    // A file upload: the file as a form field (curl sets the multipart content type).
    for (const [name] of files) lines.push(`  -F '${name}=@${name === 'file' ? 'people.csv' : name}'`);
  } else if (content['text/csv']) {
    lines.push(`  -H 'Content-Type: text/csv'`, `  --data-binary @people.csv`);
  }
  return lines.join(' \\\n');
}

function Parameters(props: { parameters: Json[] }): Child {
  if (!props.parameters.length) return <p class="hint">No parameters.</p>;
  return (
    <div class="table-wrap">
      <table>
        <thead>
          <tr>
            <th scope="col">Parameter</th>
            <th scope="col">In</th>
            <th scope="col">Type</th>
            <th scope="col">Description</th>
          </tr>
        </thead>
        <tbody>
          {props.parameters.map((p) => (
            <tr>
              <td>
                <code class="name">{p.name}</code> {p.required ? <span class="badge warn">required</span> : null}
              </td>
              <td>{p.in}</td>
              <td>{typeOf(p.schema)}</td>
              <td>
                <Text text={p.description ?? p.schema?.description} />
                <ExampleHint value={exampleValue(p)} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** ' Example: <value>' after a description; nothing when there is no example. */
function ExampleHint(props: { value: unknown }): Child {
  if (props.value === undefined) return null;
  return (
    <span class="hint">
      {' '}
      Example: <code>{String(props.value)}</code>
    </span>
  );
}

/** The headers a response declares (`Link`, `ETag`, `RateLimit`, `Retry-After`…), `$ref`s resolved; none: nothing shown. */
function ResponseHeaders(props: { response: Json; shared: Record<string, Json> }): Child {
  const headers = Object.entries((props.response.headers ?? {}) as Record<string, Json>).map(([name, header]) => {
    const ref = typeof header.$ref === 'string' ? /^#\/components\/headers\/(.+)$/.exec(header.$ref)?.[1] : undefined;
    return [name, ref ? (props.shared[ref] ?? {}) : header] as const;
  });
  if (!headers.length) return null;
  return (
    <div class="table-wrap">
      <table>
        <thead>
          <tr>
            <th scope="col">Response header</th>
            <th scope="col">Description</th>
          </tr>
        </thead>
        <tbody>
          {headers.map(([name, header]) => (
            <tr>
              <td>
                <code class="name">{name}</code>
              </td>
              <td>
                <Text text={header.description} />
                <ExampleHint value={header.schema?.example} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function OperationCard(props: { origin: string; operation: Operation }): Child {
  const { method, path, op, anchor, sharedHeaders } = props.operation;
  const abilities = (op['x-required-abilities'] as string[] | undefined) ?? [];
  const body = op.requestBody?.content?.['application/json'];
  const success = Object.entries((op.responses ?? {}) as Record<string, Json>).find(([status]) => status.startsWith('2'));
  // 304 (a conditional GET's Not Modified) is no error: it is listed in the parameters (If-None-Match) and the 200's headers (ETag).
  const errors = Object.entries((op.responses ?? {}) as Record<string, Json>).filter(([status]) => /^[45]/.test(status));
  const example = success?.[1].content?.['application/json']?.example;
  return (
    <section class="card" id={anchor} aria-labelledby={`${anchor}-title`}>
      <h3 id={`${anchor}-title`}>
        <span class="badge accent">{method.toUpperCase()}</span> <code>{path}</code>
      </h3>
      <p>
        <strong>
          <Text text={op.summary} />
        </strong>
      </p>
      {op.description ? (
        <p>
          <Text text={op.description} />
        </p>
      ) : null}
      <p>
        Requires:{' '}
        {abilities.length
          ? abilities.map((a) => (
              <>
                <span class="badge ok">{a}</span>{' '}
              </>
            ))
          : <span class="hint">a valid credential (no particular ability)</span>}
      </p>
      <h4>Parameters</h4>
      <Parameters parameters={(op.parameters ?? []) as Json[]} />
      {body ? (
        <>
          <h4>Request body{op.requestBody?.required ? '' : ' (optional)'}</h4>
          <Example text={JSON.stringify(body.example ?? {}, null, 2)} />
        </>
      ) : null}
      <h4>Example</h4>
      <Example text={curlExample(props.origin, method, path, op)} />
      {success ? (
        <details>
          <summary>
            Response {success[0]}: {success[1].description}
          </summary>
          <ResponseHeaders response={success[1]} shared={sharedHeaders} />
          <Example text={JSON.stringify(example ?? null, null, 2)} />
        </details>
      ) : null}
      {errors.length ? (
        <details>
          <summary>
            Errors (problem details):{' '}
            {errors.map(([status, response], i) => (
              <>
                {i ? '; ' : ''}
                <strong>{status}</strong> <Text text={response.description} />
              </>
            ))}
          </summary>
          {errors.map(([status, response]) => {
            const problem = response.content?.['application/problem+json']?.example;
            return problem ? (
              <>
                <h5>{status}</h5>
                <ResponseHeaders response={response} shared={sharedHeaders} />
                <Example text={JSON.stringify(problem, null, 2)} />
              </>
            ) : null;
          })}
        </details>
      ) : null}
    </section>
  );
}

export function renderApiDocs(c: Context<AppEnv>, doc: OpenApiDocument) {
  const origin = c.var.origin;
  const groups = operationsByTag(doc);
  const count = [...groups.values()].reduce((n, ops) => n + ops.length, 0);
  return c.html(
    <Layout title="REST API reference" tenantName={c.var.tenant?.name} wide>
      <div class="page-head">
        <h1>{doc.info.title}</h1>
        <p class="hint">
          Version {doc.info.version} · {count} operations · <a href="/docs/api.json">OpenAPI 3.1 document</a>
        </p>
      </div>
      <section class="card">
        <h2>Getting started</h2>
        <p>
          <Text text={doc.info.description} />
        </p>
        <ul>
          <li>
            Base URL: <code>{origin}</code>
          </li>
          <li>
            Create a personal API token in Settings, with the <code>orgonaut</code> CLI (<code>orgonaut auth login</code>), or with{' '}
            <code>POST /api/v1/tokens</code>. Each route names the abilities the token needs; without one you get a 403 problem naming it.
          </li>
          <li>
            Rate limits are per token (or signed-in user): every answer carries <code>RateLimit-Policy</code> (quota <code>q</code> per <code>w</code> seconds) and <code>RateLimit</code> (remaining <code>r</code>, seconds to reset <code>t</code>) headers; over the limit, a 429
            problem with <code>Retry-After</code>.
          </li>
          <li>
            Every <code>GET</code> answers with an <code>ETag</code>: send it back in <code>If-None-Match</code> and an unchanged
            resource answers <code>304 Not Modified</code> without a body.
          </li>
          <li>
            Money figures (compensation, costs, salaries) appear only for credentials with <code>costs.read</code>.
          </li>
        </ul>
      </section>
      <nav class="card" aria-label="Operations">
        <h2>Operations</h2>
        {[...groups].map(([tag, ops]) => (
          <>
            <h3>{tag}</h3>
            <ul>
              {ops.map(({ method, path, op, anchor }) => (
                <li>
                  <a href={`#${anchor}`}>
                    <span class="badge">{method.toUpperCase()}</span> <code>{path}</code>
                  </a>{' '}
                  <span class="hint">
                    <Text text={op.summary} />
                  </span>
                </li>
              ))}
            </ul>
          </>
        ))}
      </nav>
      {[...groups].map(([tag, ops]) => (
        <section aria-label={tag}>
          <h2>{tag}</h2>
          {ops.map((operation) => (
            <OperationCard origin={origin} operation={operation} />
          ))}
        </section>
      ))}
    </Layout>,
  );
}
