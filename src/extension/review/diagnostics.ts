import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Finding, Severity } from '../../core/types.js';
import { trackEdit, type LineEdit } from './editTracking.js';
import { Disposable } from '../lifecycle.js';
import type { DiagnosticLevel } from '../../core/config/schema.js';
import { plainText } from './markdown.js';
import { countFindings, type FindingCounts } from './counts.js';

export interface FindingEntry {
  repo: string;
  finding: Finding;
}

const LEVELS: Record<DiagnosticLevel, vscode.DiagnosticSeverity> = {
  Error: vscode.DiagnosticSeverity.Error,
  Warning: vscode.DiagnosticSeverity.Warning,
  Information: vscode.DiagnosticSeverity.Information,
  Hint: vscode.DiagnosticSeverity.Hint,
};

/** The diagnostic message: title, then explanation. The model's summary is never a diagnostic. */
export function diagnosticMessage(f: Finding): string {
  const title = plainText(f.title);
  const message = plainText(f.message ?? '');
  return message && message !== title ? `${title}: ${message}` : title;
}

export { countFindings, countsText, type FindingCounts } from './counts.js';

/**
 * Findings in the Problems panel, one DiagnosticCollection. Entries follow edits to their files
 * and leave when the text they were about is edited away.
 */
export class DiagnosticsPresenter extends Disposable {
  private readonly collection = this.register(vscode.languages.createDiagnosticCollection('pullmint'));
  private readonly entries = new Map<string, FindingEntry[]>();
  private readonly onStaleEmitter = this.register(new vscode.EventEmitter<FindingEntry[]>());
  /** Findings removed because the code they were about was edited away. */
  readonly onStale = this.onStaleEmitter.event;
  private readonly onChangeEmitter = this.register(new vscode.EventEmitter<void>());
  /** Anything shown changed: a finding came, moved, was fixed or dismissed. */
  readonly onDidChange = this.onChangeEmitter.event;
  private changeTimer: NodeJS.Timeout | undefined;

  constructor(private severityMap: () => Record<Severity, DiagnosticLevel>) {
    super();
    this.register(vscode.workspace.onDidChangeTextDocument((e) => this.follow(e)));
  }

  uriOf(repo: string, file: string): vscode.Uri {
    return vscode.Uri.file(path.join(repo, ...file.split('/')));
  }

  /** Replaces everything shown for a repository. */
  setRepo(repo: string, findings: Finding[]): void {
    for (const [key, list] of this.entries) {
      const kept = list.filter((e) => e.repo !== repo);
      if (kept.length === list.length) continue;
      if (kept.length) this.entries.set(key, kept);
      else this.entries.delete(key);
      this.render(vscode.Uri.parse(key));
    }
    this.add(repo, findings);
  }

  /** Adds findings as they stream in from a running review. */
  add(repo: string, findings: Finding[]): void {
    const touched = new Set<string>();
    for (const finding of findings) {
      const key = this.uriOf(repo, finding.file).toString();
      const list = this.entries.get(key) ?? [];
      if (list.some((e) => e.finding.id === finding.id && e.finding.line === finding.line)) continue;
      list.push({ repo, finding });
      this.entries.set(key, list);
      touched.add(key);
    }
    for (const key of touched) this.render(vscode.Uri.parse(key));
  }

  /** Replaces one file's findings of the given origins (review on save touches only its own). */
  replaceFile(repo: string, uri: vscode.Uri, findings: Finding[], origins: Finding['origin'][]): void {
    const key = uri.toString();
    const kept = (this.entries.get(key) ?? []).filter((e) => !origins.includes(e.finding.origin));
    this.entries.set(key, [...kept, ...findings.map((finding) => ({ repo, finding }))]);
    this.render(uri);
  }

  remove(predicate: (e: FindingEntry) => boolean): void {
    for (const [key, list] of this.entries) {
      const kept = list.filter((e) => !predicate(e));
      if (kept.length !== list.length) {
        this.entries.set(key, kept);
        this.render(vscode.Uri.parse(key));
      }
    }
  }

  clear(repo?: string): void {
    if (repo === undefined) {
      this.entries.clear();
      this.collection.clear();
      this.changedSoon();
      return;
    }
    this.remove((e) => e.repo === repo);
  }

  /** The entry behind a diagnostic, matched by line and message. */
  entryFor(uri: vscode.Uri, diagnostic: vscode.Diagnostic): FindingEntry | undefined {
    return (this.entries.get(uri.toString()) ?? []).find(
      (e) => e.finding.line - 1 === diagnostic.range.start.line && diagnosticMessage(e.finding) === diagnostic.message,
    );
  }

  all(): FindingEntry[] {
    return [...this.entries.values()].flat();
  }

  /** The findings shown now for a repository (or all), and their counts. */
  working(repo?: string): FindingEntry[] {
    return this.all().filter((e) => repo === undefined || e.repo === repo);
  }

  counts(repo?: string): FindingCounts {
    return countFindings(this.working(repo).map((e) => e.finding));
  }

  /** The entry of a finding by its id. */
  find(repo: string, id: string): FindingEntry | undefined {
    return this.all().find((e) => e.repo === repo && e.finding.id === id);
  }

  refresh(): void {
    for (const key of this.entries.keys()) this.render(vscode.Uri.parse(key));
  }

  private changedSoon(): void {
    // Streaming findings render per file: listeners hear once per burst.
    if (this.changeTimer) return;
    this.changeTimer = setTimeout(() => {
      this.changeTimer = undefined;
      this.onChangeEmitter.fire();
    }, 50);
  }

  override dispose(): void {
    clearTimeout(this.changeTimer);
    super.dispose();
  }

  private render(uri: vscode.Uri): void {
    this.changedSoon();
    const list = this.entries.get(uri.toString()) ?? [];
    if (list.length === 0) {
      this.entries.delete(uri.toString());
      this.collection.delete(uri);
      return;
    }
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
    const map = this.severityMap();
    this.collection.set(
      uri,
      list.map(({ finding: f }) => {
        const d = new vscode.Diagnostic(rangeOf(f, doc), diagnosticMessage(f), LEVELS[map[f.severity]]);
        d.source = 'Pullmint';
        d.code = f.rule ?? f.category;
        return d;
      }),
    );
  }

  private follow(e: vscode.TextDocumentChangeEvent): void {
    const key = e.document.uri.toString();
    const current = this.entries.get(key);
    if (!current || e.contentChanges.length === 0) return;
    let list: FindingEntry[] = current;
    const removedAll: FindingEntry[] = [];
    // Bottom-up, so that each change's line numbers still refer to the text above it.
    const changes = [...e.contentChanges].sort((a, b) => b.range.start.line - a.range.start.line);
    for (const change of changes) {
      const edit: LineEdit = {
        startLine: change.range.start.line,
        endLine: change.range.end.line,
        insertedLineBreaks: (change.text.match(/\n/g) ?? []).length,
      };
      const located: Located[] = list.map((entry) => ({
        entry,
        line: entry.finding.line,
        endLine: entry.finding.endLine,
        quote: entry.finding.quote,
      }));
      const { kept, removed } = trackEdit(located, edit, (l) => (l < e.document.lineCount ? e.document.lineAt(l).text : undefined));
      removedAll.push(...removed.map((r) => r.entry));
      list = kept.map((k) => ({
        ...k.entry,
        finding: { ...k.entry.finding, line: k.line, ...(k.endLine !== undefined ? { endLine: k.endLine } : {}) },
      }));
    }
    this.entries.set(key, list);
    this.render(e.document.uri);
    if (removedAll.length) this.onStaleEmitter.fire(removedAll);
  }
}

interface Located {
  entry: FindingEntry;
  line: number;
  endLine?: number;
  quote?: string;
}

function rangeOf(f: Finding, doc: vscode.TextDocument | undefined): vscode.Range {
  const start = Math.max(0, f.line - 1);
  const end = Math.max(start, (f.endLine ?? f.line) - 1);
  if (!doc || start >= doc.lineCount) {
    // The file is not open: the quoted line text says where the code starts and ends.
    const indent = f.quote !== undefined ? f.quote.length - f.quote.trimStart().length : 0;
    return new vscode.Range(start, indent, end, f.quote !== undefined && end === start ? f.quote.length : 1000);
  }
  const first = doc.lineAt(start);
  const last = doc.lineAt(Math.min(end, doc.lineCount - 1));
  return new vscode.Range(start, first.firstNonWhitespaceCharacterIndex, last.lineNumber, last.text.length);
}
