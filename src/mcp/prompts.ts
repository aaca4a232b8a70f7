import type { McpServer } from '@modelcontextprotocol/server';
import type { Catalog } from './catalog.js';
import { GUIDES, guideMarkdown, renderGuide, type Guide } from './guides.js';
import type { McpSession } from './session.js';

/** The review guides as prompts: a user message with the workflow in Markdown, in the tenant's naming style. */

export interface PromptInfo {
  name: string;
  title: string;
  description: string;
  guide: Guide;
}

export const PROMPTS: PromptInfo[] = GUIDES.map((guide) => ({
  name: guide.id,
  title: guide.title,
  description: `${guide.summary} Step by step, naming the tools to call.`,
  guide,
}));

export function registerPrompts(server: McpServer, session: McpSession, catalog: Catalog): void {
  for (const prompt of PROMPTS) {
    server.registerPrompt(prompt.name, { title: prompt.title, description: prompt.description }, () => ({
      description: prompt.description,
      messages: [
        {
          role: 'user' as const,
          content: { type: 'text' as const, text: guideMarkdown(renderGuide(prompt.guide, catalog, session.names, session.principal)) },
        },
      ],
    }));
  }
}
