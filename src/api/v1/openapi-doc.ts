import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../../http/env.js';
import { addConditionalGets } from './conditional-get-docs.js';
import { addExamples } from './examples.js';
import { addOperationIds } from './operation-ids.js';
import { addProblemExamples } from './problem-examples.js';

/** The OpenAPI 3.1 document of the REST API, generated from the route schemas once, with operation ids, examples (of errors too) and conditional GETs added. */
export type OpenApiDocument = ReturnType<OpenAPIHono<AppEnv>['getOpenAPI31Document']>;

export function openApiDocuments(router: OpenAPIHono<AppEnv>, info: OpenApiDocument['info']): (origin: string) => OpenApiDocument {
  let base: OpenApiDocument | null = null;
  return (origin) => {
    base ??= addOperationIds(addConditionalGets(addProblemExamples(addExamples(router.getOpenAPI31Document({ openapi: '3.1.0', info })))));
    const { openapi, info: baseInfo, ...rest } = base;
    return { openapi, info: baseInfo, servers: [{ url: origin, description: 'This host' }], ...rest };
  };
}
