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
    json = { type: 'object', ...z.toJSONSchema(schema, { target: TARGET, io: 'input' }) };
    inputs.set(schema, json);
  }
  return json;
}

export function outputJsonSchema(schema: z.ZodObject): JsonSchema {
  let json = outputs.get(schema);
  if (!json) {
    json = { type: 'object', ...z.toJSONSchema(schema, { target: TARGET, io: 'output' }) };
    outputs.set(schema, json);
  }
  return json;
}

/**
 * The input schema the SDK sees: it advertises the zod schema but accepts any arguments, because validation
 * happens in our boundary (mcp/boundary.ts), which names the field, gives the fix and a structured code, and
 * treats "" as absent — the SDK's own validation would answer with its generic text first.
 */
export function deferredInput(schema: z.ZodObject): StandardSchemaWithJSON<Record<string, unknown>> {
  const json = inputJsonSchema(schema);
  return {
    '~standard': {
      version: 1,
      vendor: 'orgonaut',
      validate: (value: unknown) => ({ value: (value ?? {}) as Record<string, unknown> }),
      jsonSchema: { input: () => json, output: () => json },
    },
  };
}

/** The output schema the SDK sees: zod validates the structured content, the JSON Schema is converted once. */
export function memoizedOutput(schema: z.ZodObject): StandardSchemaWithJSON {
  const json = outputJsonSchema(schema);
  const standard = schema['~standard'];
  return {
    '~standard': {
      version: 1,
      vendor: standard.vendor,
      validate: (value: unknown) => standard.validate(value),
      jsonSchema: { input: () => json, output: () => json },
    },
  };
}

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
