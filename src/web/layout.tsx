import type { Child } from 'hono/jsx';
import { raw } from 'hono/html';
import { CSS_HREF, JS_SRC } from './static-assets.js';

/** The one page frame every server-rendered page uses (no CDN: CSS and scripts are served by the app). */
export function Layout(props: { title: string; children: Child; tenantName?: string | null; nav?: Child; wide?: boolean }) {
  return (
    <>
      {raw('<!DOCTYPE html>')}
      <html lang="en">
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <title>{props.title} · Orgonaut</title>
          <link rel="icon" href="data:," />
          <link rel="stylesheet" href={CSS_HREF} />
          <script src={JS_SRC} defer></script>
        </head>
        <body>
          <a class="skip" href="#main">
            Skip to content
          </a>
          <header class="topbar">
            <a class="brand" href="/">
              Orgonaut
            </a>
            {props.tenantName ? (
              <span class="tenant" title={props.tenantName}>
                {props.tenantName}
              </span>
            ) : null}
            {props.nav ?? null}
          </header>
          <main id="main" class={props.wide ? 'wide' : undefined}>
            {props.children}
          </main>
        </body>
      </html>
    </>
  );
}
