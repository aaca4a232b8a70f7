import { z } from 'zod';
import type { StandardSchemaWithJSON } from '@modelcontextprotocol/server';

/**
 * JSON Schemas of the tools, converted from zod once per process instead of once per request (the SDK wants a
 * fresh server per request and would convert again each time), and the two schema adapters the SDK receives.
 */

export type JsonSchema = Record<string, unknown>;

const TARGET = 'draft-2020-12';
const inputs = new WeakMap<z.ZodType, JsonSchema>();
const outputs = new WeakMap<z.ZodType, JsonSchema>();

export function inputJsonSchema(schema: z.ZodObject): JsonSchema {
  let json = inputs.get(schema);
  if (!json) {
    json = leanSchema({ type: 'object', ...z.toJSONSchema(schema, { target: TARGET, io: 'input' }) });
    inputs.set(schema, json);
  }
  return json;
}

export function outputJsonSchema(schema: z.ZodObject): JsonSchema {
  let json = outputs.get(schema);
  if (!json) {
    json = leanSchema({ type: 'object', ...z.toJSONSchema(schema, { target: TARGET, io: 'output' }) });
    outputs.set(schema, json);
  }
  return json;
}

/**
 * A converted schema without what says nothing: the `$schema` of the root (MCP takes JSON Schema 2020-12 when it
 * is absent), `additionalProperties: {}` (any extra member, as when it is absent) and `propertyNames:
 * {type: 'string'}` (every JSON member name is a string). The same constraints in ~7% fewer bytes of `tools/list`,
 * which an assistant reads into its context and the server serialises on every listing.
 */
export function leanSchema(json: JsonSchema): JsonSchema {
  const { $schema: _dialect, ...rest } = json;
  return withoutNoise(rest) as JsonSchema;
}

function withoutNoise(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutNoise);
  if (!value || typeof value !== 'object') return value;
  const lean: Record<string, unknown> = {};
  for (const [key, member] of Object.entries(value)) {
    if (key === 'additionalProperties' && isEmptyObject(member)) continue;
    if (key === 'propertyNames' && isStringType(member)) continue;
    // Inside `properties` the keys are field names, not keywords: a field may be called additionalProperties.
    lean[key] = key === 'properties' && member && typeof member === 'object' ? mapValues(member as Record<string, unknown>, withoutNoise) : withoutNoise(member);
  }
  return lean;
}

function mapValues(record: Record<string, unknown>, map: (value: unknown) => unknown): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).map(([key, value]) => [key, map(value)]));
}

function isEmptyObject(value: unknown): boolean {
  return !!value && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length === 0;
}

function isStringType(value: unknown): boolean {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  return keys.length === 1 && (value as JsonSchema).type === 'string';
}

/**
 * The input schema the SDK sees: it advertises the zod schema but accepts any arguments, because validation
 * happens in our boundary (mcp/boundary.ts), which names the field, gives the fix and a structured code, and
 * treats "" as absent — the SDK's own validation would answer with its generic text first.
 *
 * Both adapters are made once per schema and shared by every request's server (they hold no request state):
 * made per request they were a fifth of a tools/call's server build (tsx names every new closure).
 */
export function deferredInput(schema: z.ZodObject): StandardSchemaWithJSON<Record<string, unknown>> {
  let adapter = inputAdapters.get(schema);
  if (!adapter) {
    const json = inputJsonSchema(schema);
    adapter = {
      '~standard': {
        version: 1,
        vendor: 'orgonaut',
        validate: (value: unknown) => ({ value: (value ?? {}) as Record<string, unknown> }),
        jsonSchema: { input: () => json, output: () => json },
      },
    };
    inputAdapters.set(schema, adapter);
  }
  return adapter;
}

/** The output schema the SDK sees: zod validates the structured content, the JSON Schema is converted once. */
export function memoizedOutput(schema: z.ZodObject): StandardSchemaWithJSON {
  let adapter = outputAdapters.get(schema);
  if (!adapter) {
    const json = outputJsonSchema(schema);
    const standard = schema['~standard'];
    adapter = {
      '~standard': {
        version: 1,
        vendor: standard.vendor,
        validate: (value: unknown) => standard.validate(value),
        jsonSchema: { input: () => json, output: () => json },
      },
    };
    outputAdapters.set(schema, adapter);
  }
  return adapter;
}

const inputAdapters = new WeakMap<z.ZodType, StandardSchemaWithJSON<Record<string, unknown>>>();
const outputAdapters = new WeakMap<z.ZodType, StandardSchemaWithJSON>();

/** One argument as `capability.explain` describes it, read from the advertised JSON Schema. */
export interface ArgumentInfo {
  name: string;
  type: string;
  required: boolean;
  description?: string;
  allowed?: unknown[];
  minimum?: number;
  maximum?: number;
  pattern?: string;
  /** For a list of objects: the fields of each object. */
  fields?: ArgumentInfo[];
}

export function describeArguments(schema: z.ZodObject): ArgumentInfo[] {
  return describeProperties(inputJsonSchema(schema));
}

function describeProperties(json: JsonSchema): ArgumentInfo[] {
  const properties = (json.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((json.required ?? []) as string[]);
  return Object.entries(properties).map(([name, property]) => {
    const items = property.items as JsonSchema | undefined;
    return {
      name,
      type: typeName(property),
      required: required.has(name),
      description: property.description as string | undefined,
      allowed: (property.enum ?? items?.enum) as unknown[] | undefined,
      minimum: (property.minimum ?? property.minItems) as number | undefined,
      maximum: (property.maximum ?? property.maxItems) as number | undefined,
      pattern: property.pattern as string | undefined,
      fields: items?.type === 'object' ? describeProperties(items) : undefined,
    };
  });
}

function typeName(property: JsonSchema): string {
  if (property.type === 'array') return `array of ${typeName((property.items ?? {}) as JsonSchema)}`;
  if (property.enum) return 'string (one of the allowed values)';
  return typeof property.type === 'string' ? property.type : 'any';
}
