import nodemailer, { type Transporter } from 'nodemailer';
import type { Config, SmtpSettings } from '../config.js';
import type { Logger } from '../logger.js';

/** An email to one person: a subject, a plain-text body and the same as simple HTML. */
export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html: string;
}

/** What became of an email: sent (accepted by the SMTP server), or not, with a reason a person can read. */
export type Delivery = { status: 'sent'; to: string } | { status: 'failed'; to: string; reason: string };

/** How long the SMTP server gets to accept a connection, greet, and answer each command: a dead one costs a request a few seconds, not minutes. */
const TIMEOUT_MS = 5_000;

/**
 * Sends the emails of invitations and password-reset links through the SMTP server of ORGONAUT_SMTP_URL
 * (SPEC §8: email delivery is optional; without it the links are only shown to copy). A failure is answered, never
 * thrown: the link it carried was made and is shown anyway. Neither the SMTP credentials nor the message (it holds a
 * single-use link) reach the log.
 */
export class Mailer {
  private readonly transport: Transporter;

  constructor(
    smtp: SmtpSettings,
    readonly from: string,
    private readonly logger: Logger,
  ) {
    this.transport = nodemailer.createTransport({
      host: smtp.host,
      port: smtp.port,
      secure: smtp.secure,
      auth: smtp.user ? { user: smtp.user, pass: smtp.password ?? '' } : undefined,
      connectionTimeout: TIMEOUT_MS,
      greetingTimeout: TIMEOUT_MS,
      socketTimeout: TIMEOUT_MS,
      dnsTimeout: TIMEOUT_MS,
      logger: false,
      debug: false,
    });
  }

  async send(message: MailMessage): Promise<Delivery> {
    try {
      // An address object, not a string: nodemailer would read a comma in an address as a list of recipients.
      await this.transport.sendMail({ from: this.from, to: { name: '', address: message.to }, subject: message.subject, text: message.text, html: message.html });
      this.logger.info({ event: 'mail.sent', subject: message.subject }, 'email sent');
      return { status: 'sent', to: message.to };
    } catch (error) {
      const { code, responseCode } = (error ?? {}) as { code?: string; responseCode?: number };
      // The code and the server's reply code only: an error's message may quote what the server was sent.
      this.logger.warn({ event: 'mail.failed', code: code ?? null, responseCode: responseCode ?? null, subject: message.subject }, 'email not sent');
      return { status: 'failed', to: message.to, reason: failureReason(code, responseCode) };
    }
  }

  close(): void {
    this.transport.close();
  }
}

/** Why an email was not sent, in words that name no credential and no server detail. */
function failureReason(code: string | undefined, responseCode: number | undefined): string {
  switch (code) {
    case 'ETIMEDOUT':
      return 'the mail server did not answer in time';
    case 'EAUTH':
    case 'ENOAUTH':
      return 'the mail server refused its sign-in (check ORGONAUT_SMTP_URL)';
    case 'EENVELOPE':
      return 'the mail server refused the address';
    case 'ECONNECTION':
    case 'ESOCKET':
    case 'EDNS':
    case 'ECONNREFUSED':
    case 'ETLS':
      return 'the mail server could not be reached';
    default:
      return responseCode ? `the mail server refused the message (SMTP ${responseCode})` : 'the mail server could not be reached';
  }
}

/** A new single-use link (an invitation's, a password reset's), as it is handed to the email that carries it. */
export interface NewLink {
  token: string;
  /** The only address it is emailed to: the invitee's, the member's. */
  email: string;
  expiresAt: Date;
}

/**
 * Emails a new single-use link to the person it is for. The services call it once the link exists, before its audit
 * event is recorded, so the event says whether the email went; absent, email delivery is off.
 */
export type LinkDelivery = (link: NewLink) => Promise<Delivery>;

/**
 * The one way a link is emailed — invitations (Settings → Members and `orgonaut members invite`) and password-reset
 * links alike: the message `compose` writes for the new link, sent through the process's one mailer. Undefined when
 * email delivery is off (no mailer): the link is only shown to copy.
 */
export function linkDelivery(mailer: Mailer | null | undefined, compose: (link: NewLink) => MailMessage): LinkDelivery | undefined {
  return mailer ? (link) => mailer.send(compose(link)) : undefined;
}

/** The mailer of ORGONAUT_SMTP_URL, or null when email delivery is off: one per process (the app and the admin channel share it). */
export function createMailer(config: Pick<Config, 'smtp' | 'mailFrom'>, logger: Logger): Mailer | null {
  return config.smtp ? new Mailer(config.smtp, config.mailFrom, logger) : null;
}
