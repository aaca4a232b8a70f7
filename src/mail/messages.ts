import type { MailMessage } from './mailer.js';

/**
 * The emails Orgonaut sends: an invitation and a password-reset link, each as plain text and simple HTML. The links
 * are the ones shown to copy on Settings → Members — absolute, on the tenant's own host.
 */

/** `2026-12-07 17:48 UTC`, as the pages write times. */
function utc(date: Date): string {
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

function escapeHtml(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;').replaceAll("'", '&#39;');
}

/** Paragraphs as text and as HTML, with the link as a button-like anchor after the first. */
function compose(to: string, subject: string, paragraphs: string[], link: { url: string; label: string }): MailMessage {
  const [first, ...rest] = paragraphs;
  const text = [first, link.url, ...rest].join('\n\n') + '\n';
  const html =
    `<!doctype html><html><body style="font-family:system-ui,sans-serif;line-height:1.5;color:#1a1a1a">` +
    `<p>${escapeHtml(first ?? '')}</p>` +
    `<p><a href="${escapeHtml(link.url)}" style="display:inline-block;padding:8px 16px;background:#1d4ed8;color:#fff;text-decoration:none;border-radius:4px">${escapeHtml(link.label)}</a></p>` +
    `<p style="font-size:90%">Or open this link: <a href="${escapeHtml(link.url)}">${escapeHtml(link.url)}</a></p>` +
    rest.map((p) => `<p>${escapeHtml(p)}</p>`).join('') +
    `</body></html>`;
  return { to, subject, text, html };
}

export function invitationEmail(input: { to: string; organisation: string; inviter: string | null; role: string; url: string; expiresAt: Date }): MailMessage {
  const who = input.inviter ? `${input.inviter} invited you` : 'You are invited';
  return compose(
    input.to,
    `Join ${input.organisation} on Orgonaut`,
    [
      `${who} to join ${input.organisation} on Orgonaut as ${input.role}. Open this link to accept and set your password:`,
      `The link works once, until ${utc(input.expiresAt)}. If you did not expect this invitation, ignore this email.`,
    ],
    { url: input.url, label: 'Accept the invitation' },
  );
}

export function passwordResetEmail(input: { to: string; organisation: string; url: string; expiresAt: Date }): MailMessage {
  return compose(
    input.to,
    `Reset your Orgonaut password (${input.organisation})`,
    [
      `An admin of ${input.organisation} on Orgonaut made you a link to set a new password:`,
      `The link works once, until ${utc(input.expiresAt)}. Setting a new password signs you out everywhere and revokes your connected apps and API tokens. If you did not ask for this, tell an admin of ${input.organisation}.`,
    ],
    { url: input.url, label: 'Set a new password' },
  );
}
