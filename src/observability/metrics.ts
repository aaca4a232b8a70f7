/**
 * Prometheus metrics without a dependency: counters and histograms with labels, rendered in the text exposition
 * format. Labels are low-cardinality by construction (route patterns, tool names, reasons) — never ids, tenants'
 * names, tokens or money.
 */
type Labels = Record<string, string>;

const NEEDS_ESCAPE = /[\\"\n]/;

/** `a="1",b="2"`: names sorted, values escaped (built on every observation, so without intermediate arrays). */
function key(labels: Labels): string {
  const names = Object.keys(labels);
  if (names.length > 1) names.sort();
  let out = '';
  for (let i = 0; i < names.length; i++) {
    const name = names[i]!;
    const value = labels[name]!;
    const text = NEEDS_ESCAPE.test(value) ? value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n') : value;
    out += i === 0 ? `${name}="${text}"` : `,${name}="${text}"`;
  }
  return out;
}

export class Counter {
  private readonly values = new Map<string, number>();
  constructor(
    readonly name: string,
    readonly help: string,
  ) {}

  inc(labels: Labels = {}, by = 1): void {
    const k = key(labels);
    this.values.set(k, (this.values.get(k) ?? 0) + by);
  }

  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} counter`];
    for (const [k, v] of this.values) lines.push(`${this.name}${k ? `{${k}}` : ''} ${v}`);
    return lines.join('\n');
  }
}

export class Gauge {
  constructor(
    readonly name: string,
    readonly help: string,
    private readonly read: () => Record<string, number>,
  ) {}

  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} gauge`];
    for (const [k, v] of Object.entries(this.read())) lines.push(`${this.name}${k ? `{${k}}` : ''} ${v}`);
    return lines.join('\n');
  }
}

const SECONDS_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export class Histogram {
  private readonly series = new Map<string, { counts: number[]; sum: number; count: number }>();
  constructor(
    readonly name: string,
    readonly help: string,
    private readonly buckets = SECONDS_BUCKETS,
  ) {}

  observe(labels: Labels, value: number): void {
    const k = key(labels);
    let s = this.series.get(k);
    if (!s) {
      s = { counts: this.buckets.map(() => 0), sum: 0, count: 0 };
      this.series.set(k, s);
    }
    const buckets = this.buckets;
    const counts = s.counts;
    for (let i = 0; i < buckets.length; i++) if (value <= buckets[i]!) counts[i]!++;
    s.sum += value;
    s.count++;
  }

  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`];
    for (const [k, s] of this.series) {
      const prefix = k ? `${k},` : '';
      this.buckets.forEach((b, i) => lines.push(`${this.name}_bucket{${prefix}le="${b}"} ${s.counts[i]}`));
      lines.push(`${this.name}_bucket{${prefix}le="+Inf"} ${s.count}`);
      lines.push(`${this.name}_sum${k ? `{${k}}` : ''} ${s.sum}`);
      lines.push(`${this.name}_count${k ? `{${k}}` : ''} ${s.count}`);
    }
    return lines.join('\n');
  }
}

/** The process's metrics registry. */
export class Metrics {
  readonly requests = new Counter('orgonaut_http_requests_total', 'HTTP requests by route and status class');
  readonly latency = new Histogram('orgonaut_http_request_duration_seconds', 'HTTP request latency by route');
  readonly mcpCalls = new Counter('orgonaut_mcp_tool_calls_total', 'MCP tool calls by tool and outcome');
  readonly mcpLatency = new Histogram('orgonaut_mcp_tool_duration_seconds', 'MCP tool call latency by tool');
  readonly authFailures = new Counter('orgonaut_auth_failures_total', 'Refused credentials by surface and reason');
  readonly tasks = new Counter('orgonaut_background_tasks_total', 'Background tasks by kind and outcome');
  readonly rateLimited = new Counter('orgonaut_rate_limited_total', 'Requests refused by a rate limit, by surface');
  private readonly gauges: Gauge[] = [];

  gauge(name: string, help: string, read: () => Record<string, number>): void {
    this.gauges.push(new Gauge(name, help, read));
  }

  render(): string {
    const parts = [this.requests, this.latency, this.mcpCalls, this.mcpLatency, this.authFailures, this.tasks, this.rateLimited, ...this.gauges].map((m) => m.render());
    return `${parts.join('\n')}\n`;
  }
}

export const metrics = new Metrics();
