import { z } from 'zod';

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
