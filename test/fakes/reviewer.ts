/**
 * A scripted "model": reads the prompt the way a model would (the numbered data lines) and reports
 * each added line that contains a trigger word. Lets tests check the whole pipeline — packing,
 * prompt, streaming, parsing, anchoring — without weights.
 */
export interface Trigger {
  contains: string;
  severity: string;
  category: string;
  title: string;
  message: string;
  suggestion?: string;
  /** Report this line number instead of the true one, to exercise quote anchoring. */
  lineOffset?: number;
  /** Match removed lines (reported with `side: "old"`) instead of added ones. */
  removed?: boolean;
}

export const DEFAULT_TRIGGERS: Trigger[] = [
  { contains: 'eval(', severity: 'high', category: 'security', title: 'eval on untrusted input', message: 'eval executes arbitrary code.' },
  {
    contains: 'SELECT * FROM users WHERE id = " +',
    severity: 'critical',
    category: 'security',
    title: 'SQL injection',
    message: 'User input is concatenated into SQL.',
    suggestion: '  const rows = await db.query("SELECT * FROM users WHERE id = $1", [id]);',
  },
  { contains: 'TODO', severity: 'low', category: 'maintainability', title: 'Unfinished work', message: 'A TODO was added.' },
  {
    contains: 'requireAdmin(',
    removed: true,
    severity: 'high',
    category: 'security',
    title: 'Authorization check removed',
    message: 'The admin check no longer runs.',
  },
];

/** `### "path" (status…)`: the path is a JSON string. */
export function headerPath(line: string): string | null {
  if (!line.startsWith('### "')) return null;
  for (let i = 5; i < line.length; i++) {
    if (line[i] === '\\') i++;
    else if (line[i] === '"') return JSON.parse(line.slice(4, i + 1)) as string;
  }
  return null;
}

/** One line of the prompt's data as a model reads it: which file, which side, its number and text. */
export interface PromptLine {
  file: string;
  kind: 'added' | 'removed' | 'context';
  line: number;
  text: string;
}

/** The data lines of a review prompt, in order: the one place the fakes read the prompt's format. */
export function promptLines(user: string): PromptLine[] {
  const out: PromptLine[] = [];
  let file = '';
  let inData = false;
  let oldLine = 0;
  let newLine = 0;
  for (const line of user.split('\n')) {
    if (line.startsWith('BEGIN-DIFF ')) inData = true;
    else if (line.startsWith('END-DIFF ')) inData = false;
    if (!inData) continue;
    const header = headerPath(line);
    if (header !== null) {
      file = header;
      continue;
    }
    // A hunk header gives where its lines start; the lines are counted down from it.
    const hunk = /^@@ -(\d+) \+(\d+) @@/.exec(line);
    if (hunk) {
      oldLine = Number(hunk[1]);
      newLine = Number(hunk[2]);
      continue;
    }
    if (line.startsWith('+')) out.push({ file, kind: 'added', line: newLine++, text: line.slice(1) });
    else if (line.startsWith('-')) out.push({ file, kind: 'removed', line: oldLine++, text: line.slice(1) });
    else if (line.startsWith(' ')) {
      out.push({ file, kind: 'context', line: newLine++, text: line.slice(1) });
      oldLine++;
    }
  }
  return out;
}

export function reviewPrompt(
  user: string,
  triggers: Trigger[] = DEFAULT_TRIGGERS,
): { summary: string; findings: Record<string, unknown>[] } {
  const findings: Record<string, unknown>[] = [];
  for (const hit of promptLines(user)) {
    if (hit.kind === 'context') continue;
    const removed = hit.kind === 'removed';
    for (const t of triggers) {
      if (!hit.text.includes(t.contains) || Boolean(t.removed) !== removed) continue;
      findings.push({
        file: hit.file,
        ...(removed ? { side: 'old' } : {}),
        line: hit.line + (t.lineOffset ?? 0),
        severity: t.severity,
        category: t.category,
        title: t.title,
        message: t.message,
        quote: hit.text,
        ...(t.suggestion ? { suggestion: t.suggestion } : {}),
      });
    }
  }
  return { summary: `Reviewed ${findings.length ? 'and found issues' : 'and found nothing'}.`, findings };
}
