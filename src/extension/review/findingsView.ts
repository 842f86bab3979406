import * as path from 'node:path';
import * as vscode from 'vscode';
import { severityRank } from '../../core/findings.js';
import type { Severity } from '../../core/types.js';
import { Disposable } from '../lifecycle.js';
import type { ReviewController } from './controller.js';
import { countFindings, countsText, type DiagnosticsPresenter, type FindingEntry } from './diagnostics.js';
import { OPEN_COMMAND } from './findingActions.js';
import { plainText } from './markdown.js';

export type FindingsNode =
  | { kind: 'file'; repo: string; file: string; entries: FindingEntry[] }
  | { kind: 'finding'; entry: FindingEntry }
  | { kind: 'notReviewed'; items: NotReviewedItem[] }
  | { kind: 'unreviewed'; item: NotReviewedItem };

export interface NotReviewedItem {
  repo: string;
  file: string;
  /** 1-based; absent for a whole file. */
  startLine?: number;
  endLine?: number;
  reason: string;
}

const ICON: Record<Severity, [string, string]> = {
  critical: ['error', 'problemsErrorIcon.foreground'],
  high: ['error', 'problemsErrorIcon.foreground'],
  medium: ['warning', 'problemsWarningIcon.foreground'],
  low: ['info', 'problemsInfoIcon.foreground'],
  info: ['info', 'problemsInfoIcon.foreground'],
};

/** The file-and-severity tree in the Pullmint sidebar; the same findings and counts as the Problems panel. */
export class FindingsTree implements vscode.TreeDataProvider<FindingsNode> {
  private readonly changed = new vscode.EventEmitter<FindingsNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;

  constructor(
    private readonly presenter: DiagnosticsPresenter,
    private readonly controller: ReviewController,
  ) {}

  refresh(): void {
    this.changed.fire(undefined);
  }

  dispose(): void {
    this.changed.dispose();
  }

  /** Ranges and files the last reviews did not cover, with their reasons. */
  notReviewed(): NotReviewedItem[] {
    const out: NotReviewedItem[] = [];
    for (const s of this.controller.allStates()) {
      const r = s.result;
      if (!r) continue;
      for (const sk of r.coverage.skippedFiles) out.push({ repo: s.repo, file: sk.file, reason: sk.reason });
      for (const u of r.coverage.unreviewed)
        out.push({
          repo: s.repo,
          file: u.file,
          startLine: u.startLine,
          endLine: u.endLine > 0 ? u.endLine : undefined,
          reason: u.reason,
        });
    }
    return out;
  }

  getChildren(node?: FindingsNode): FindingsNode[] {
    if (!node) {
      const byFile = new Map<string, { repo: string; file: string; entries: FindingEntry[] }>();
      for (const e of this.presenter.working()) {
        const key = `${e.repo}\0${e.finding.file}`;
        const group = byFile.get(key) ?? { repo: e.repo, file: e.finding.file, entries: [] };
        group.entries.push(e);
        byFile.set(key, group);
      }
      const worst = (entries: FindingEntry[]): number => Math.min(...entries.map((e) => severityRank(e.finding.severity)));
      const files: FindingsNode[] = [...byFile.values()]
        .sort((a, b) => worst(a.entries) - worst(b.entries) || a.file.localeCompare(b.file))
        .map((g) => ({ kind: 'file', ...g }));
      const unreviewed = this.notReviewed();
      return unreviewed.length ? [...files, { kind: 'notReviewed', items: unreviewed }] : files;
    }
    if (node.kind === 'file')
      return [...node.entries]
        .sort((a, b) => severityRank(a.finding.severity) - severityRank(b.finding.severity) || a.finding.line - b.finding.line)
        .map((entry) => ({ kind: 'finding', entry }));
    if (node.kind === 'notReviewed') return node.items.map((item) => ({ kind: 'unreviewed', item }));
    return [];
  }

  getTreeItem(node: FindingsNode): vscode.TreeItem {
    switch (node.kind) {
      case 'file': {
        const item = new vscode.TreeItem(node.file, vscode.TreeItemCollapsibleState.Expanded);
        item.resourceUri = this.presenter.uriOf(node.repo, node.file);
        item.label = path.posix.basename(node.file);
        const dir = path.posix.dirname(node.file);
        const counts = countFindings(node.entries.map((e) => e.finding));
        item.description = `${dir === '.' ? '' : `${dir} · `}${countsText(counts)}`;
        item.tooltip = `${node.file}: ${counts.total} finding(s) — ${countsText(counts)}`;
        item.contextValue = 'pullmint.file';
        item.id = `file:${node.repo}:${node.file}`;
        return item;
      }
      case 'finding': {
        const f = node.entry.finding;
        const item = new vscode.TreeItem(plainText(f.title), vscode.TreeItemCollapsibleState.None);
        item.description = `${f.severity} · Ln ${f.line}`;
        const [icon, color] = ICON[f.severity];
        item.iconPath = new vscode.ThemeIcon(icon, new vscode.ThemeColor(color));
        const tip = new vscode.MarkdownString(undefined, true);
        tip.appendMarkdown(`**${f.severity}** · ${f.category}${f.rule ? ` · ${f.rule}` : ''}\n\n`).appendText(plainText(f.message ?? ''));
        item.tooltip = tip;
        item.contextValue = f.suggestion !== undefined ? 'pullmint.finding.fixable' : 'pullmint.finding';
        item.command = { command: OPEN_COMMAND, title: 'Open', arguments: [node.entry.repo, f.file, f.line] };
        item.id = `finding:${node.entry.repo}:${f.id}:${f.file}`;
        item.accessibilityInformation = { label: `${f.severity} finding at line ${f.line}: ${plainText(f.title)}` };
        return item;
      }
      case 'notReviewed': {
        const item = new vscode.TreeItem('Not reviewed', vscode.TreeItemCollapsibleState.Expanded);
        item.description = `${node.items.length} range(s)`;
        item.iconPath = new vscode.ThemeIcon('eye-closed', new vscode.ThemeColor('problemsWarningIcon.foreground'));
        item.tooltip = 'Changed code the model did not review: the verdict does not cover it.';
        item.contextValue = 'pullmint.notReviewed';
        item.id = 'notReviewed';
        return item;
      }
      case 'unreviewed': {
        const u = node.item;
        const lines = u.startLine === undefined ? 'whole file' : u.endLine ? `Ln ${u.startLine}–${u.endLine}` : `from Ln ${u.startLine}`;
        const item = new vscode.TreeItem(u.file, vscode.TreeItemCollapsibleState.None);
        item.description = `${lines} · ${plainText(u.reason)}`;
        item.tooltip = `${u.file} (${lines}) was not reviewed: ${plainText(u.reason)}`;
        item.iconPath = new vscode.ThemeIcon('circle-slash');
        item.contextValue = 'pullmint.unreviewed';
        item.command = { command: OPEN_COMMAND, title: 'Open', arguments: [u.repo, u.file, u.startLine ?? 1] };
        return item;
      }
    }
  }
}

/** The view around the tree: its badge and description carry the working counts. */
export class FindingsView extends Disposable {
  readonly tree: FindingsTree;
  private readonly view: vscode.TreeView<FindingsNode>;

  constructor(presenter: DiagnosticsPresenter, controller: ReviewController) {
    super();
    this.tree = this.register(new FindingsTree(presenter, controller));
    this.view = this.register(vscode.window.createTreeView('pullmint.findings', { treeDataProvider: this.tree, showCollapseAll: true }));
    const update = (): void => {
      const counts = presenter.counts();
      this.view.badge = counts.total
        ? { value: counts.total, tooltip: `${counts.total} Pullmint finding(s): ${countsText(counts)}` }
        : undefined;
      this.view.description = counts.total ? `${counts.total} · ${countsText(counts)}` : undefined;
      const running = controller.allStates().find((s) => s.running);
      this.view.message = running
        ? `Reviewing…${running.progress ? ` ${running.progress}` : ''}`
        : counts.total === 0 && controller.allStates().every((s) => !s.result)
          ? 'No review yet. Run Pullmint: Review Working Tree Changes.'
          : undefined;
      this.tree.refresh();
    };
    this.register(presenter.onDidChange(update));
    this.register(controller.onDidChange(update));
    update();
  }
}
