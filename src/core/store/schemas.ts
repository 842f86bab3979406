import { z } from 'zod';
import { CATEGORIES, SEVERITIES } from '../types.js';

/*
 * What the stores accept when they read a file back. Anything on disk may have been written by an
 * older version, torn by a crash or edited by hand, so a record is trusted only after it passes here;
 * objects stay loose so that fields added later survive a round trip through an older reader.
 */

const isoDate = z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'not a date');

export const ParsedFindingSchema = z.looseObject({
  file: z.string().min(1),
  line: z.number().int(),
  endLine: z.number().int().optional(),
  severity: z.enum(SEVERITIES),
  category: z.enum(CATEGORIES),
  title: z.string(),
  message: z.string(),
  suggestion: z.string().optional(),
  quote: z.string().optional(),
});

export const FindingSchema = ParsedFindingSchema.extend({
  id: z.string(),
  origin: z.enum(['llm', 'rule']),
  rule: z.string().optional(),
});

export const ParsedOutputSchema = z.looseObject({
  summary: z.string(),
  findings: z.array(ParsedFindingSchema),
  warnings: z.array(z.string()),
  truncated: z.boolean(),
  unusable: z.boolean(),
});

export const CachedReplySchema = z.looseObject({
  parsed: ParsedOutputSchema,
  promptTokens: z.number(),
  completionTokens: z.number(),
  createdAt: z.number(),
});

export const TargetSchema = z.looseObject({
  kind: z.enum(['working-tree', 'staged', 'base', 'range']),
  base: z.string(),
  head: z.string(),
  label: z.string(),
});

const RangeSchema = z.looseObject({ file: z.string(), startLine: z.number(), endLine: z.number(), reason: z.string() });

export const ResultSchema = z.looseObject({
  schemaVersion: z.literal(1),
  executionId: z.string(),
  repo: z.string(),
  target: TargetSchema,
  provider: z.string(),
  model: z.string(),
  summary: z.string(),
  riskScore: z.number(),
  decision: z.enum(['auto-approve', 'auto-deploy', 'manual-review', 'incomplete']),
  rulesOnly: z.boolean(),
  findings: z.array(FindingSchema),
  coverage: z.looseObject({
    changedLines: z.number(),
    reviewedLines: z.number(),
    skippedFiles: z.array(z.looseObject({ file: z.string(), reason: z.string() })),
    unreviewed: z.array(RangeSchema),
    complete: z.boolean(),
  }),
  stats: z.looseObject({ filesReviewed: z.number(), chunks: z.number(), llmCalls: z.number(), durationMs: z.number() }),
  warnings: z.array(z.string()),
  startedAt: z.string(),
  completedAt: z.string(),
});

export const OwnerSchema = z.object({ pid: z.number().int().positive(), host: z.string() });

export const DeploymentSchema = z.looseObject({
  deploymentId: z.string().min(1),
  environment: z.string(),
  state: z.enum(['approved', 'deploying', 'deployed', 'failed', 'interrupted']),
  override: z.boolean(),
  requestedBy: z.string(),
  approvedAt: isoDate,
  startedAt: z.string().optional(),
  completedAt: z.string().optional(),
  attempts: z.number(),
  updatedAt: z.string().optional(),
  owner: OwnerSchema.optional(),
});

export const ExecutionSchema = z.looseObject({
  executionId: z.string().min(1),
  repo: z.string(),
  target: TargetSchema,
  status: z.enum(['pending', 'analyzing', 'completed', 'failed', 'interrupted']),
  provider: z.string(),
  model: z.string(),
  createdAt: isoDate,
  updatedAt: z.string(),
  riskScore: z.number().optional(),
  result: ResultSchema.optional(),
  deployments: z.array(DeploymentSchema).optional(),
  owner: OwnerSchema.optional(),
});

/** The first problem zod found, in a few words for a warning. */
export function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid';
  return `${issue.path.join('.') || '(root)'}: ${issue.message}`;
}
