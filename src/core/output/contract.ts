/**
 * What the model is asked for and how much of its answer is read: the constants the providers send
 * and check. No zod here, so that a provider's code does not load the answer schemas before an
 * answer arrives.
 */
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

/**
 * What one answer may bring. A model stuck in a loop can stream megabytes or thousands of findings;
 * what is past these is dropped with a warning rather than stored, cached and shown.
 */
export const ANSWER_LIMITS = {
  /** Characters of the raw answer read at all. */
  answerChars: 256 * 1024,
  summaryChars: 4000,
  /** Findings kept per answer (per chunk), the most severe first. */
  findings: 50,
  /** Characters of a finding's message and of its suggestion. */
  textChars: 4000,
} as const;

/** Said when a provider stopped reading an answer at `answerChars`. */
export function overLongAnswer(): string {
  return `the model kept answering past ${ANSWER_LIMITS.answerChars.toLocaleString('en-US')} characters; the rest was not read`;
}
