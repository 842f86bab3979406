import { z } from 'zod';
import { SEVERITIES } from '../types.js';

/** Version of the instructions + schema; part of every cache key. */
export const PROMPT_VERSION = 'v1.2';

/** Model output contract v1, as JSON Schema: Ollama `format`, Anthropic tool `input_schema`, OpenAI `response_format`. */
export const REVIEW_JSON_SCHEMA = {
  type: 'object',
  properties: {
    summary: { type: 'string', description: 'Two or three sentences on the change and its main risks.' },
    findings: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          file: { type: 'string', description: 'Path from the "###" header, as the JSON string it shows denotes.' },
          line: {
            type: 'integer',
            description: 'New-file line number shown before the + or space; for a removed line, the old-file number after the -.',
          },
          side: { type: 'string', enum: ['new', 'old'], description: '"old" when the finding is about a removed line.' },
          endLine: { type: 'integer' },
          severity: { type: 'string', enum: [...SEVERITIES] },
          category: {
            type: 'string',
            description: 'security, bug, performance, correctness, maintainability, style, testing, documentation or other',
          },
          title: { type: 'string' },
          message: { type: 'string' },
          suggestion: { type: 'string', description: 'Replacement text for the lines line..endLine, only when certain.' },
          quote: { type: 'string', description: 'The exact text of line `line`, without the number and marker.' },
        },
        required: ['file', 'line', 'severity', 'category', 'title', 'message'],
      },
    },
  },
  required: ['summary', 'findings'],
} as const;

const looseInt = z
  .union([z.number(), z.string().regex(/^\s*\d+/)])
  .transform((v) => (typeof v === 'number' ? Math.trunc(v) : parseInt(v, 10)));
const looseText = z.union([z.string(), z.number()]).transform((v) => String(v));

/** What one finding must carry to be usable; everything else is normalized after. */
export const RawFindingSchema = z.object({
  file: z.string().min(1),
  line: looseInt,
  endLine: looseInt.optional().nullable(),
  severity: looseText.optional().nullable(),
  category: looseText.optional().nullable(),
  title: looseText.optional().nullable(),
  message: looseText.optional().nullable(),
  suggestion: looseText.optional().nullable(),
  quote: looseText.optional().nullable(),
  side: looseText.optional().nullable(),
});
export type RawFinding = z.infer<typeof RawFindingSchema>;
