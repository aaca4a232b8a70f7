import { AppError, InvalidInput } from '../errors.js';

/**
 * BambooHR: pulling employees for "sync now" (a custom report over the API), and turning employees — pulled, or
 * sent by the webhook — into import records (one row per employee, cells by BambooHR field name). The import
 * pipeline maps the field names like any BambooHR file: `id` is the PersonID (source identity `bamboohr`), and
 * `supervisorEId` links the manager by it.
 */
export const DEFAULT_BAMBOO_URL = 'https://api.bamboohr.com';

/** The fields "sync now" asks for. */
export const SYNC_FIELDS = [
  'id',
  'firstName',
  'lastName',
  'displayName',
  'workEmail',
  'department',
  'division',
  'jobTitle',
  'supervisorEId',
  'supervisorEmail',
  'hireDate',
  'terminationDate',
  'status',
  'employmentHistoryStatus',
] as const;

export class HrisUnreachable extends AppError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super('hris_unreachable', 502, message, 'Check the subdomain, base URL and API key in Settings → Integrations, then try again.', details);
  }
}

/** The API base URL: https, or http to a loopback address (a local stand-in); no credentials, query or fragment. */
export function checkBaseUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InvalidInput('base_url', 'must be an absolute URL such as https://api.bamboohr.com');
  }
  const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) throw new InvalidInput('base_url', 'must use https (http only for a loopback address)');
  if (url.username || url.password || url.search || url.hash) throw new InvalidInput('base_url', 'must not contain credentials, a query or a fragment');
  return url.toString().replace(/\/+$/, '');
}

const MAX_RESPONSE_BYTES = 50 * 1024 * 1024;

export type Employee = Record<string, string | null>;

/** All employees (current and former) with the sync fields. Errors never carry the key or the response body. */
export async function fetchEmployees(config: { baseUrl: string; subdomain: string; apiKey: string }, fetchImpl: typeof fetch = fetch): Promise<Employee[]> {
  const url = `${config.baseUrl}/api/gateway.php/${encodeURIComponent(config.subdomain)}/v1/reports/custom?format=JSON&onlyCurrent=false`;
  let response: Response;
  try {
    response = await fetchImpl(url, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${config.apiKey}:x`).toString('base64')}`,
        accept: 'application/json',
        'content-type': 'application/json',
      },
      body: JSON.stringify({ title: 'Orgonaut sync', fields: SYNC_FIELDS }),
      redirect: 'error',
      signal: AbortSignal.timeout(30_000),
    });
  } catch {
    throw new HrisUnreachable('BambooHR could not be reached.');
  }
  if (!response.ok) {
    await response.body?.cancel().catch(() => {});
    throw new HrisUnreachable(response.status === 401 || response.status === 403 ? 'BambooHR refused the API key.' : `BambooHR answered with HTTP ${response.status}.`, { http_status: response.status });
  }
  const text = await readLimited(response);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new HrisUnreachable('BambooHR answered with something that is not JSON.');
  }
  const employees = (body as { employees?: unknown }).employees;
  if (!Array.isArray(employees)) throw new HrisUnreachable('BambooHR’s answer has no employee list.');
  return employees.filter((e): e is Record<string, unknown> => typeof e === 'object' && e !== null).map(toEmployee);
}

async function readLimited(response: Response): Promise<string> {
  const reader = response.body?.getReader();
  if (!reader) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.length;
    if (size > MAX_RESPONSE_BYTES) {
      await reader.cancel().catch(() => {});
      throw new HrisUnreachable('BambooHR’s answer is too large.');
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Scalar fields as strings; nested values are dropped. A field BambooHR sends as null is empty there — a supervisor
 * removed, a date cleared — so it is a blank cell (the import clears the manager; other blank cells change nothing),
 * not an absent one (a field it does not send is left as it is).
 */
export function toEmployee(raw: Record<string, unknown>): Employee {
  const out: Employee = {};
  for (const [key, value] of Object.entries(raw)) {
    if (value === null) out[key] = '';
    else if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') out[key] = String(value);
  }
  return out;
}

/**
 * Employees as import records: headers = every field any employee has (`id` first, so it is the PersonID), one row
 * per employee; a field an employee does not have is null (left unchanged by the import).
 */
export function employeesToRecords(employees: readonly Employee[]): { headers: string[]; rows: (string | null)[][] } {
  const headers = ['id'];
  const seen = new Set(headers);
  for (const employee of employees) {
    for (const key of Object.keys(employee)) {
      if (!seen.has(key)) {
        seen.add(key);
        headers.push(key);
      }
    }
  }
  const rows = employees.map((employee) => headers.map((h) => (Object.prototype.hasOwnProperty.call(employee, h) ? employee[h]! : null)));
  return { headers, rows };
}
