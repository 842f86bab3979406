import { z } from 'zod';
import { PANEL_COMMANDS, type FromWebviewMessage } from '../../shared/protocol.js';

/** Messages from the webview are untrusted input: each is checked against its shape before use. */
const FromWebviewSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready') }),
  z.object({
    type: z.literal('open'),
    repo: z.string().min(1),
    file: z
      .string()
      .min(1)
      .refine((f) => !f.split('/').includes('..'), 'no parent segments'),
    line: z.number().int().min(1),
  }),
  z.object({ type: z.literal('command'), requestId: z.number().int(), command: z.enum(PANEL_COMMANDS as [string, ...string[]]) }),
  z.object({ type: z.literal('dismiss'), repo: z.string().min(1), id: z.string().regex(/^[0-9a-f]{8,64}$/) }),
]);

export function parseWebviewMessage(raw: unknown): FromWebviewMessage | null {
  const r = FromWebviewSchema.safeParse(raw);
  return r.success ? (r.data as FromWebviewMessage) : null;
}
