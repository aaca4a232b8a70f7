import { z } from 'zod';
import { ORG_REVIEW, renderGuide, SCENARIO_REVIEW } from '../guides.js';
import { defineTool, READ_ONLY } from '../registry.js';

/** The review guides as tools, for clients that show only tools (also offered as prompts and resources). */

const guideOut = z.object({
  guide: z.string(),
  title: z.string(),
  summary: z.string(),
  steps: z.array(
    z.object({
      step: z.number(),
      goal: z.string(),
      how: z.string(),
      tools: z.array(z.object({ name: z.string(), available_now: z.boolean() })).optional().describe('The tools of this step; absent for a step the person takes'),
    }),
  ),
  tips: z.array(z.string()),
});

export const orgReviewGuideTool = defineTool({
  name: 'org.review.guide',
  title: 'Guide: review the organisation',
  description:
    'A step-by-step workflow for reviewing the organisation — big picture, structure, people, capacity, metrics, ' +
    'cost and history — naming the tool for each step and whether you may call it now. Read it before a broad ' +
    'review; `scenario.review.guide` covers comparing a scenario with Live and drafting changes.',
  purpose: 'discovery',
  inputSchema: z.object({}),
  outputSchema: guideOut,
  annotations: READ_ONLY,
  requires: [],
  example: {},
  async handler(ctx, _input, call) {
    return renderGuide(ORG_REVIEW, call.catalog, call.names, ctx.principal);
  },
});

export const scenarioReviewGuideTool = defineTool({
  name: 'scenario.review.guide',
  title: 'Guide: review a scenario and draft changes',
  description:
    'A step-by-step workflow for reviewing a scenario against Live — find it, see what it changes, compare metrics, ' +
    'structure, cost and people moves — and for drafting changes in it that the person confirms (plan, show the ' +
    'preview, confirm only after they agree), naming the tool for each step and whether you may call it now. Read it ' +
    'before changing a scenario. For a review of Live itself see `org.review.guide`.',
  purpose: 'discovery',
  inputSchema: z.object({}),
  outputSchema: guideOut,
  annotations: READ_ONLY,
  requires: [],
  example: {},
  async handler(ctx, _input, call) {
    return renderGuide(SCENARIO_REVIEW, call.catalog, call.names, ctx.principal);
  },
});

export const guideTools = [orgReviewGuideTool, scenarioReviewGuideTool];
