import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { AppError } from '../errors.js';

/**
 * Secrets at rest that must be read back (integration credentials, webhook secrets, OAuth client secrets — what
 * can be hashed is hashed instead): AES-256-GCM with a random 96-bit nonce, authenticated
 * with the tenant and purpose as associated data (a sealed value copied to another tenant or column does not open).
 * Sealed form: `v1.<key id>.<nonce>.<tag>.<ciphertext>` (base64url); the key id (first bytes of the key's SHA-256)
 * tells a value sealed with another key from a tampered one.
 */
export class SecretsUnavailable extends AppError {
  constructor() {
    super(
      'secrets_unavailable',
      409,
      'The stored integration secrets were encrypted with another key and cannot be read.',
      'Enter the API key and webhook secret again, or restore the ORGONAUT_SECRET_KEY they were saved with.',
    );
  }
}

const TAG_BYTES = 16;

export function keyId(key: Buffer): string {
  return createHash('sha256').update(key).digest('base64url').slice(0, 8);
}

export function seal(key: Buffer, plaintext: string, context: string): string {
  const nonce = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(context, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  const tag = cipher.getAuthTag();
  return ['v1', keyId(key), nonce.toString('base64url'), tag.toString('base64url'), ciphertext.toString('base64url')].join('.');
}

export function open(key: Buffer, sealed: string, context: string): string {
  const [version, kid, nonce, tag, ciphertext] = sealed.split('.');
  if (version !== 'v1' || !kid || !nonce || !tag || ciphertext === undefined) throw new SecretsUnavailable();
  if (kid !== keyId(key)) throw new SecretsUnavailable();
  try {
    // The whole 16-byte tag, always: GCM would otherwise check a tag cut to 4 bytes (one forgery in 2^32 tries).
    const fullTag = Buffer.from(tag, 'base64url');
    if (fullTag.length !== TAG_BYTES) throw new SecretsUnavailable();
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(nonce, 'base64url'), { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(fullTag);
    return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
  } catch {
    throw new SecretsUnavailable();
  }
}

/** Parses a configured key: 32 bytes written as 64 hex digits or as base64 / base64url. Null when malformed. */
export function parseKey(text: string): Buffer | null {
  const trimmed = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(trimmed)) return Buffer.from(trimmed, 'hex');
  if (/^[A-Za-z0-9+/_-]{42,43}=?$/.test(trimmed)) {
    const key = Buffer.from(trimmed.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
    return key.length === 32 ? key : null;
  }
  return null;
}
