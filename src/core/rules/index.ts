import { globList } from '../glob.js';
import { fingerprint } from '../findings.js';
import type { FileDiff } from '../diff/model.js';
import type { Finding, Severity } from '../types.js';
import { findSecrets } from './secrets.js';
import { IAC_RULE_IDS, runIacRules } from './iac.js';

export const RULE_IDS = ['hardcoded-secret', 'merge-conflict-marker', 'exclusive-test', 'debugger-statement', ...IAC_RULE_IDS] as const;
export type RuleId = (typeof RULE_IDS)[number];
export type RuleSwitches = Partial<Record<RuleId, boolean>>;

interface RuleHit {
  rule: RuleId;
  severity: Severity;
  category: Finding['category'];
  title: string;
  message: string;
  suggestion?: string;
}

const TEST_FILE = globList(['**/*.{test,spec}.*', '**/test/**', '**/tests/**', '**/__tests__/**', '**/*_test.*'], { dot: true });
const CONFLICT = /^(?:<{7}(?: |$)|={7}$|>{7}(?: |$)|\|{7}(?: |$))/;
const EXCLUSIVE = /\b(?:describe|it|test|context|suite|specify)\.only\s*\(/;
const DEBUGGER = /(?:^|[;{}\s])debugger\s*;?\s*(?:\/\/.*)?$/;

const NO_HITS: readonly RuleHit[] = Object.freeze([]);

/** The line rules switched on, read once per review rather than per line. */
interface LineRulesOn {
  secret: boolean;
  conflict: boolean;
  exclusive: boolean;
  debugger: boolean;
}

/** Most lines hit nothing: they share one empty result, and allocate nothing on the way. */
function checkLine(isTest: boolean, text: string, on: LineRulesOn): readonly RuleHit[] {
  let hits: RuleHit[] | null = null;
  if (on.secret) {
    // Index loops: a for-of entered once per line makes an iterator per line until the code is optimised.
    const secrets = findSecrets(text);
    for (let i = 0; i < secrets.length; i++) {
      const s = secrets[i];
      (hits ??= []).push({
        rule: 'hardcoded-secret',
        severity: 'critical',
        category: 'security',
        title: `Hard-coded secret: ${s.kind}`,
        message: `This line adds what looks like a secret (${s.kind}). Anyone who can read the repository can use it; once pushed, rotate it even if the line is removed.`,
        suggestion: undefined,
      });
    }
  }
  const first = text.charCodeAt(0);
  // '<' '=' '>' '|': conflict markers start a line with one of these.
  if (on.conflict && (first === 60 || first === 61 || first === 62 || first === 124) && CONFLICT.test(text)) {
    (hits ??= []).push({
      rule: 'merge-conflict-marker',
      severity: 'high',
      category: 'bug',
      title: 'Merge conflict marker',
      message: 'A conflict marker was committed; the file will not parse or will behave unexpectedly. Resolve the conflict.',
    });
  }
  if (on.exclusive && isTest && text.includes('.only') && EXCLUSIVE.test(text)) {
    (hits ??= []).push({
      rule: 'exclusive-test',
      severity: 'high',
      category: 'testing',
      title: 'Exclusive test (.only) left in',
      message: '`.only(` makes the runner skip every other test in the suite, so CI passes without running them.',
      suggestion: text.replace(/\.only\s*\(/, '('),
    });
  }
  if (on.debugger && text.includes('debugger') && DEBUGGER.test(text) && !/^\s*(?:\/\/|\*|#)/.test(text)) {
    (hits ??= []).push({
      rule: 'debugger-statement',
      severity: 'medium',
      category: 'maintainability',
      title: '`debugger` statement left in',
      message: 'A `debugger;` statement pauses execution whenever dev tools are attached. Remove it before merging.',
      suggestion: text.replace(/\bdebugger\s*;?/, '').trimEnd() || undefined,
    });
  }
  return hits ?? NO_HITS;
}

/** Deterministic checks on added lines; no model needed, always on unless switched off per rule. */
export function runRules(files: FileDiff[], switches: RuleSwitches = {}): Finding[] {
  const findings: Finding[] = [];
  const on: LineRulesOn = {
    secret: switches['hardcoded-secret'] !== false,
    conflict: switches['merge-conflict-marker'] !== false,
    exclusive: switches['exclusive-test'] !== false,
    debugger: switches['debugger-statement'] !== false,
  };
  for (const file of files) {
    const isTest = TEST_FILE(file.path);
    for (const hunk of file.hunks) {
      for (const line of hunk.lines) {
        if (line.kind !== 'add' || line.newLine === undefined) continue;
        const hits = checkLine(isTest, line.text, on);
        for (let i = 0; i < hits.length; i++) {
          const hit = hits[i];
          findings.push({
            id: fingerprint(file.path, hit.title, line.text, line.newLine),
            file: file.path,
            line: line.newLine,
            severity: hit.severity,
            category: hit.category,
            title: hit.title,
            message: hit.message,
            suggestion: hit.suggestion,
            quote: line.text,
            origin: 'rule',
            rule: hit.rule,
          });
        }
      }
    }
    // Infrastructure files: the IaC rules (`rules/iac.ts`), which also read the lines around an added one.
    findings.push(...runIacRules(file, (id) => switches[id] !== false));
  }
  return findings;
}
