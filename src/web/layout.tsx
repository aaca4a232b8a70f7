import type { Child } from 'hono/jsx';

/** The one page frame every server-rendered page uses. */
export function Layout(props: { title: string; children: Child; tenantName?: string | null }) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{props.title} · Orgonaut</title>
        <link rel="stylesheet" href="/static/app.css" />
      </head>
      <body>
        <header class="topbar">
          <a class="brand" href="/">
            Orgonaut
          </a>
          {props.tenantName ? <span class="tenant">{props.tenantName}</span> : null}
        </header>
        <main id="main">{props.children}</main>
      </body>
    </html>
  );
}
