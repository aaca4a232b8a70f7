import net from 'node:net';
import { SMTPServer } from 'smtp-server';

/**
 * A real SMTP server on 127.0.0.1 for the email tests (SPEC §8: delivery over SMTP is optional): it takes one user's
 * password login without TLS and keeps every message it is given in `inbox`.
 */
export const SMTP_USER = 'orgonaut@mail.test';
export const SMTP_PASSWORD = 'sm7p/pa55:word';

export interface Received {
  from: string;
  to: string[];
  raw: string;
}

export interface SmtpStandIn {
  port: number;
  inbox: Received[];
  /** ORGONAUT_SMTP_URL for this server (with another password: a login it refuses). */
  url(password?: string): string;
  close(): Promise<void>;
}

export async function startSmtpStandIn(): Promise<SmtpStandIn> {
  const inbox: Received[] = [];
  const smtp = new SMTPServer({
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === SMTP_USER && auth.password === SMTP_PASSWORD) callback(null, { user: auth.username });
      else callback(new Error('Invalid username or password'));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        inbox.push({ from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '', to: session.envelope.rcptTo.map((r) => r.address), raw: Buffer.concat(chunks).toString('utf8') });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  const port = (smtp.server.address() as net.AddressInfo).port;
  return {
    port,
    inbox,
    url: (password = SMTP_PASSWORD) => smtpUrl(port, password),
    close: () => new Promise<void>((resolve) => smtp.close(() => resolve())),
  };
}

/** ORGONAUT_SMTP_URL for a server on this port. */
export function smtpUrl(port: number, password = SMTP_PASSWORD): string {
  return `smtp://${encodeURIComponent(SMTP_USER)}:${encodeURIComponent(password)}@127.0.0.1:${port}`;
}

/** A message's headers and its decoded (quoted-printable) body. */
export function decoded(raw: string): string {
  return raw.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

export function header(raw: string, name: string): string {
  return new RegExp(`^${name}: (.*)$`, 'mi').exec(raw)?.[1]?.trim() ?? '';
}

/** A closed port on 127.0.0.1: a mail server that is down. */
export async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
