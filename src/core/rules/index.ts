import picomatch from 'picomatch';
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

const TEST_FILE = picomatch(['**/*.{test,spec}.*', '**/test/**', '**/tests/**', '**/__tests__/**', '**/*_test.*'], { dot: true });
const CONFLICT = /^(?:<{7}(?: |$)|={7}$|>{7}(?: |$)|\|{7}(?: |$))/;
const EXCLUSIVE = /\b(?:describe|it|test|context|suite|specify)\.only\s*\(/;
const DEBUGGER = /(?:^|[;{}\s])debugger\s*;?\s*(?:\/\/.*)?$/;

const NO_HITS: readonly RuleHit[] = Object.freeze([]);

/** Most lines hit nothing: they share one empty result instead of allocating their own. */
function checkLine(isTest: boolean, text: string, switches: RuleSwitches): readonly RuleHit[] {
  let hits: RuleHit[] | null = null;
  const add = (hit: RuleHit): void => void (hits ??= []).push(hit);
  const on = (id: RuleId): boolean => switches[id] !== false;
  if (on('hardcoded-secret')) {
    for (const s of findSecrets(text)) {
      add({
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
  if (on('merge-conflict-marker') && (first === 60 || first === 61 || first === 62 || first === 124) && CONFLICT.test(text)) {
    add({
      rule: 'merge-conflict-marker',
      severity: 'high',
      category: 'bug',
      title: 'Merge conflict marker',
      message: 'A conflict marker was committed; the file will not parse or will behave unexpectedly. Resolve the conflict.',
    });
  }
  if (on('exclusive-test') && isTest && text.includes('.only') && EXCLUSIVE.test(text)) {
    add({
      rule: 'exclusive-test',
      severity: 'high',
      category: 'testing',
      title: 'Exclusive test (.only) left in',
      message: '`.only(` makes the runner skip every other test in the suite, so CI passes without running them.',
      suggestion: text.replace(/\.only\s*\(/, '('),
    });
  }
  if (on('debugger-statement') && text.includes('debugger') && DEBUGGER.test(text) && !/^\s*(?:\/\/|\*|#)/.test(text)) {
    add({
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
  for (const file of files) {
    const isTest = TEST_FILE(file.path);
    for (const hunk of file.hunks) {
      for (const line of hunk.lines) {
        if (line.kind !== 'add' || line.newLine === undefined) continue;
        for (const hit of checkLine(isTest, line.text, switches)) {
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
