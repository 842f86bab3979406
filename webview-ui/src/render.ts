import type { PanelCommand, PanelState, UnreviewedRange } from '../../src/shared/protocol.js';
import {
  DECISION_LABEL,
  decisionTone,
  historyItems,
  reviewedTarget,
  thresholdBands,
  arcPath,
  categoriesOf,
  coverageLine,
  planLine,
  planCountsText,
  gateState,
  groupFindings,
  SEVERITY_ORDER,
  tickLine,
  trendPoints,
  GAUGE,
  type Filters,
} from '../../src/shared/viewModel.js';
import { h, s } from './dom.js';

export interface Handlers {
  command: (c: PanelCommand) => void;
  open: (file: string, line: number) => void;
  dismiss: (id: string) => void;
  filters: Filters;
  setFilters: (f: Filters) => void;
  collapsed: Set<string>;
  toggleGroup: (file: string) => void;
}

function button(
  label: string,
  command: PanelCommand,
  on: Handlers,
  opts: { primary?: boolean; disabled?: boolean; title?: string } = {},
): HTMLButtonElement {
  return h(
    'button',
    {
      class: opts.primary ? 'primary' : 'secondary',
      disabled: opts.disabled,
      title: opts.title ?? label,
      'data-command': command,
      onclick: () => on.command(command),
    },
    label,
  );
}

export function renderEmpty(state: PanelState, on: Handlers): HTMLElement {
  return h(
    'section',
    { class: 'empty', 'aria-label': 'No review yet' },
    h('h2', {}, state.running ? 'Reviewing…' : 'No review yet'),
    h(
      'p',
      {},
      state.repo ? `Review the changes in ${state.repoName} in one of three ways:` : 'Open a folder that is a git repository to start.',
    ),
    state.repo
      ? h(
          'div',
          { class: 'stack' },
          button('Review Working Tree Changes', 'reviewWorkingTree', on, {
            primary: true,
            disabled: state.running,
            title: 'Staged, unstaged and new files against HEAD',
          }),
          button('Review Staged Changes', 'reviewStaged', on, {
            disabled: state.running,
            title: 'Only what is staged for the next commit',
          }),
          button('Review Branch Against Base…', 'reviewBranch', on, {
            disabled: state.running,
            title: 'Everything this branch adds to its base branch',
          }),
        )
      : null,
    h('p', { class: 'muted' }, 'Without a model, the built-in rules (secrets, conflict markers, .only, debugger) still run.'),
    state.setupProblem ? setupBanner(state, on) : null,
  );
}

function setupBanner(state: PanelState, on: Handlers): HTMLElement {
  const p = state.setupProblem!;
  return h(
    'div',
    { class: 'banner error', role: 'alert' },
    h('strong', {}, 'The model could not be used. '),
    p.message,
    h('div', { class: 'muted' }, `Fix: ${p.fix}`),
    button('Check Setup', 'checkSetup', on),
  );
}

function gauge(score: number, decision: string, approve: number, deploy: number): SVGElement {
  const t1 = tickLine(approve);
  const t2 = tickLine(deploy);
  const cls = decision === 'manual-review' ? 'bad' : decision === 'auto-deploy' || decision === 'incomplete' ? 'warn' : 'good';
  return s(
    'svg',
    {
      class: 'gauge',
      viewBox: '0 0 120 104',
      role: 'img',
      'aria-label': `Risk score ${score} of 100, ${DECISION_LABEL[decision] ?? decision}`,
    },
    s('path', { class: 'track', d: arcPath(0, 100) }),
    score > 0 ? s('path', { class: `value ${cls}`, d: arcPath(0, score) }) : null,
    s('line', { class: 'tick', ...t1 }),
    s('line', { class: 'tick', ...t2 }),
    s('text', { class: 'score', x: GAUGE.cx, y: GAUGE.cy + 8, 'text-anchor': 'middle' }, String(score)),
    s('text', { class: 'scale', x: GAUGE.cx, y: GAUGE.cy + 24, 'text-anchor': 'middle' }, 'of 100'),
  );
}

/** The thresholds in words, beside the gauge's two ticks: which score range gives which decision. */
function thresholdLegend(approve: number, deploy: number, decision: string): HTMLElement {
  return h(
    'ul',
    { class: 'thresholds', 'aria-label': 'Risk thresholds' },
    ...thresholdBands(approve, deploy).map((b) =>
      h(
        'li',
        { class: `band ${decisionTone(b.decision)}${b.decision === decision ? ' current' : ''}` },
        h('span', { class: 'swatch' }),
        h('span', { class: 'band-label' }, b.label),
        h('span', { class: 'band-range' }, b.range),
      ),
    ),
  );
}

export function renderReview(state: PanelState, on: Handlers): HTMLElement {
  const r = state.review!;
  const counts = Object.fromEntries(SEVERITY_ORDER.map((sv) => [sv, r.findings.filter((f) => f.severity === sv).length]));
  const gate = gateState(state);
  const noun = state.changeRequest === 'MR' ? 'merge request' : 'pull request';
  const root = h('div', { class: 'review' });
  if (state.stale)
    root.append(
      h(
        'div',
        { class: 'banner warn', role: 'status' },
        'The code changed since this review. ',
        button('Re-review', 'rereview', on, { primary: true }),
      ),
    );
  if (state.setupProblem) root.append(setupBanner(state, on));
  if (r.incomplete)
    root.append(
      h(
        'div',
        { class: 'banner warn incomplete', role: 'status' },
        `${r.incomplete}. Not an approval: the unreviewed lines are listed below.`,
      ),
    );
  root.append(
    h(
      'section',
      { class: 'head', 'aria-label': 'Risk' },
      h(
        'div',
        { class: 'dial' },
        gauge(r.riskScore, r.decision, state.deploy.approveThreshold, state.deploy.deployThreshold),
        thresholdLegend(state.deploy.approveThreshold, state.deploy.deployThreshold, r.decision),
      ),
      h(
        'div',
        { class: 'verdict' },
        h('span', { class: `badge ${r.decision}`, role: 'status' }, DECISION_LABEL[r.decision] ?? r.decision),
        r.rulesOnly ? h('span', { class: 'badge rules' }, 'rules only') : null,
        h(
          'div',
          { class: 'counts', role: 'group', 'aria-label': 'Show findings of each severity' },
          ...SEVERITY_ORDER.map((sv) => {
            const on_ = on.filters.severities.includes(sv);
            return h(
              'button',
              {
                class: `chip ${sv}${on_ ? '' : ' off'}`,
                'aria-pressed': on_ ? 'true' : 'false',
                title: `${on_ ? 'Shown' : 'Hidden'}: ${counts[sv]} ${sv} finding${counts[sv] === 1 ? '' : 's'}. Click to ${on_ ? 'hide' : 'show'} them.`,
                onclick: () =>
                  on.setFilters({
                    ...on.filters,
                    severities: on_ ? on.filters.severities.filter((x) => x !== sv) : [...on.filters.severities, sv],
                  }),
              },
              `${counts[sv]} ${sv}`,
            );
          }),
        ),
      ),
    ),
    h(
      'section',
      { class: 'actions', 'aria-label': 'Actions' },
      button('Re-review', 'rereview', on, { disabled: state.running }),
      button(`Post to ${state.changeRequest ?? 'PR'}`, 'post', on, {
        disabled: !state.prKnown || state.running,
        title: state.prKnown ? `Post the summary and inline comments to the ${noun}` : `No ${noun} known for this branch`,
      }),
      button(gate.kind === 'override' ? 'Deploy (override)' : 'Trigger Deploy', 'deploy', on, {
        primary: gate.kind === 'allowed',
        disabled: gate.kind !== 'allowed' && gate.kind !== 'override',
        title: gate.label,
      }),
    ),
  );
  if (r.summary && !r.rulesOnly)
    root.append(
      h(
        'section',
        { class: 'summary', 'aria-label': 'Summary' },
        h('h3', {}, 'Summary'),
        ...r.summary
          .split('\n')
          .filter(Boolean)
          .map((p) => h('p', {}, p)),
      ),
    );
  root.append(
    h(
      'section',
      { class: 'meta', 'aria-label': 'What was reviewed' },
      h('div', { class: 'target' }, h('span', { class: 'muted' }, 'Reviewed '), reviewedTarget(r.target)),
      h('div', {}, h('span', { class: 'muted' }, 'By '), r.rulesOnly ? 'built-in rules' : `${r.provider} ${r.model}`),
      h(
        'div',
        { class: 'muted' },
        `${(r.promptTokens + r.completionTokens).toLocaleString('en-US')} tokens · ${(r.durationMs / 1000).toFixed(1)} s${r.costUsd !== undefined ? ` · $${r.costUsd.toFixed(4)}` : ''}`,
      ),
      h('div', { class: 'coverage' }, coverageLine(state)),
      ...(planLine(state) ? [h('div', { class: 'plan' }, planLine(state))] : []),
      unreviewedList(r.coverage.unreviewed),
    ),
  );
  root.append(findingsSection(state, on));
  const deploySection = renderDeploy(state);
  if (deploySection) root.append(deploySection);
  return root;
}

const UNREVIEWED_SHOWN = 20;

function unreviewedList(ranges: UnreviewedRange[]): HTMLElement | null {
  if (ranges.length === 0) return null;
  const where = (u: UnreviewedRange): string =>
    `${u.file}:${u.startLine}${u.endLine === -1 ? '–end' : u.endLine !== u.startLine ? `–${u.endLine}` : ''}`;
  return h(
    'details',
    { class: 'unreviewed' },
    h('summary', {}, `Not reviewed by the model (${ranges.length} range${ranges.length === 1 ? '' : 's'})`),
    h(
      'ul',
      {},
      ...ranges.slice(0, UNREVIEWED_SHOWN).map((u) => h('li', {}, h('code', {}, where(u)), ` — ${u.reason}`)),
      ranges.length > UNREVIEWED_SHOWN ? h('li', { class: 'muted' }, `… and ${ranges.length - UNREVIEWED_SHOWN} more`) : null,
    ),
  );
}

function findingsSection(state: PanelState, on: Handlers): HTMLElement {
  const r = state.review!;
  const groups = groupFindings(r.findings, state.dismissedIds, on.filters);
  const categories = categoriesOf(r.findings);
  const select = h(
    'select',
    { 'aria-label': 'Category', onchange: (e: Event) => on.setFilters({ ...on.filters, category: (e.target as HTMLSelectElement).value }) },
    h('option', { value: 'all' }, 'All categories'),
    ...categories.map((c) => h('option', { value: c, selected: on.filters.category === c }, c)),
  );
  const toggle = h(
    'label',
    { class: 'toggle' },
    h('input', {
      type: 'checkbox',
      checked: on.filters.showDismissed,
      onchange: (e: Event) => on.setFilters({ ...on.filters, showDismissed: (e.target as HTMLInputElement).checked }),
    }),
    'Show dismissed',
  );
  const section = h('section', { class: 'findings', 'aria-label': 'Findings' }, h('div', { class: 'filters' }, select, toggle));
  if (groups.length === 0)
    section.append(h('p', { class: 'muted' }, r.findings.length ? 'No finding matches the filters.' : 'No findings.'));
  for (const g of groups) {
    const collapsed = on.collapsed.has(g.file);
    const list = h('ul', { class: 'items', hidden: collapsed });
    for (const f of g.findings) {
      list.append(
        h(
          'li',
          { class: `item ${f.severity}${f.dismissed ? ' dismissed' : ''}` },
          h(
            'button',
            {
              class: 'open',
              title: `Open ${f.file}:${f.line}`,
              'data-file': f.file,
              'data-line': f.line,
              onclick: () => on.open(f.file, f.line),
            },
            h('span', { class: `sev ${f.severity}` }, f.severity),
            h('span', { class: 'line' }, `:${f.line}`),
            h('span', { class: 'title' }, f.title),
          ),
          h('div', { class: 'message' }, f.message),
          f.origin === 'rule' ? h('div', { class: 'muted small' }, `rule ${f.rule}`) : null,
          !f.dismissed
            ? h('button', { class: 'link', title: 'Dismiss this finding for this repository', onclick: () => on.dismiss(f.id) }, 'Dismiss')
            : h('span', { class: 'muted small' }, 'dismissed'),
        ),
      );
    }
    section.append(
      h(
        'div',
        { class: 'group' },
        h(
          'button',
          { class: 'group-head', 'aria-expanded': collapsed ? 'false' : 'true', onclick: () => on.toggleGroup(g.file) },
          h('span', { class: 'codicon' }, collapsed ? '▸' : '▾'),
          h('span', { class: `dot ${g.worst}` }),
          h('span', { class: 'file' }, g.file),
          h('span', { class: 'muted' }, ` ${g.findings.length}`),
        ),
        list,
      ),
    );
  }
  return section;
}

function renderDeploy(state: PanelState): HTMLElement | null {
  const d = state.deploy.latest;
  if (!d) return null;
  const label = d.state === 'deployed' && d.checksFailing ? 'deployed, checks failing' : d.state;
  return h(
    'section',
    { class: 'deploy', 'aria-label': 'Deployment' },
    h('h3', {}, 'Deployment'),
    h(
      'div',
      {},
      h('span', { class: `badge deploy-${d.state}${d.checksFailing ? ' checks-failing' : ''}` }, label),
      ` to ${d.environment}${d.override ? ' (override)' : ''} · ${d.attempts} attempt(s)${d.lastStatus ? ` · HTTP ${d.lastStatus}` : ''}`,
    ),
    d.error ? h('div', { class: 'muted' }, d.error) : null,
    ...(d.sanity ?? []).map((c) =>
      h(
        'div',
        { class: `check ${c.status}` },
        `${c.status === 'pass' ? '✓' : c.status === 'fail' ? '✗' : '–'} ${c.name} (${c.durationMs} ms)${c.error ? ` — ${c.error}` : ''}`,
      ),
    ),
  );
}

export function renderHistory(state: PanelState, now = Date.now()): HTMLElement | null {
  if (state.history.length === 0) return null;
  const scores = state.history
    .filter((r) => r.riskScore !== undefined)
    .map((r) => r.riskScore!)
    .reverse();
  const items = historyItems(state.history, now);
  return h(
    'section',
    { class: 'history', 'aria-label': 'History' },
    h('h3', {}, 'History'),
    scores.length > 1
      ? s(
          'svg',
          {
            class: 'trend',
            viewBox: '0 0 200 40',
            preserveAspectRatio: 'none',
            role: 'img',
            'aria-label': `Risk trend over ${scores.length} reviews`,
          },
          s('polyline', { points: trendPoints(scores, 200, 36) }),
        )
      : null,
    // A list, not a table: two short lines per review fit from 180 px up without cutting a word.
    h(
      'ol',
      { class: 'runs' },
      ...items.map((i) =>
        h(
          'li',
          { class: 'run', 'data-execution': i.executionId },
          h(
            'div',
            { class: 'run-main' },
            h('span', { class: 'run-target', title: i.target }, i.target),
            h(
              'span',
              { class: 'run-verdict' },
              h('span', { class: 'run-score' }, i.score),
              ' ',
              h('span', { class: `run-decision ${i.tone}` }, i.decision),
            ),
          ),
          h(
            'div',
            { class: 'run-sub muted' },
            h('time', { datetime: i.at, title: new Date(i.at).toLocaleString() }, i.when),
            i.deploy ? ` · deploy ${i.deploy}` : null,
          ),
        ),
      ),
    ),
  );
}

/** What became of past findings, by category: a bar (fixed, dismissed, open) and the counts in words. */
export function renderInsights(state: PanelState): HTMLElement | null {
  const i = state.insights;
  if (!i || i.rows.length === 0) return null;
  return h(
    'section',
    { class: 'insights', 'aria-label': 'What you act on' },
    h('h3', {}, 'What you act on'),
    h('p', { class: 'muted' }, `${i.findings} finding(s) over ${i.reviews} review(s) on this machine`),
    h(
      'ul',
      { class: 'insight-rows' },
      ...i.rows.map((r) =>
        h(
          'li',
          { class: 'insight' },
          h(
            'div',
            { class: 'insight-head' },
            h('span', { class: 'insight-label' }, r.label),
            h('span', { class: 'muted' }, String(r.total)),
          ),
          h(
            'div',
            { class: 'insight-bar', role: 'img', 'aria-label': `${r.fixed} fixed, ${r.dismissed} dismissed, ${r.open} open` },
            ...(['fixed', 'dismissed', 'open'] as const).map((k) =>
              r[k] > 0 ? h('span', { class: `seg ${k}`, style: `width: ${(100 * r[k]) / r.total}%` }) : null,
            ),
          ),
          h('div', { class: 'insight-sub muted' }, `${r.fixed} fixed · ${r.dismissed} dismissed · ${r.open} open`),
        ),
      ),
    ),
  );
}

/** The last Terraform plan review, apart from the code review: counts, verdict and its findings. */
export function renderPlan(state: PanelState, on: Handlers): HTMLElement | null {
  const p = state.plan;
  if (!p) return null;
  return h(
    'section',
    { class: 'plan-review', 'aria-label': 'Terraform plan' },
    h('h3', {}, 'Terraform plan'),
    h('div', { class: 'plan-counts' }, planCountsText(p.counts)),
    h(
      'div',
      { class: 'plan-verdict' },
      h('span', { class: 'run-score' }, String(p.riskScore)),
      ' ',
      h('span', { class: `run-decision ${decisionTone(p.decision)}` }, DECISION_LABEL[p.decision] ?? p.decision),
      h('span', { class: 'muted' }, ` · ${p.file}`),
    ),
    h(
      'ul',
      { class: 'plan-findings' },
      ...p.findings
        .slice(0, 10)
        .map((f) =>
          h('li', {}, h('button', { class: 'link', type: 'button', onclick: () => on.open(f.file, f.line) }, `${f.severity}: ${f.title}`)),
        ),
    ),
  );
}

/** The last CI failure explanation: root cause, evidence from the log, the fix, the files it names. */
export function renderCiExplanation(state: PanelState, on: Handlers): HTMLElement | null {
  const c = state.ciExplanation;
  if (!c) return null;
  return h(
    'section',
    { class: 'ci-explanation', 'aria-label': 'CI failure' },
    h('h3', {}, 'CI failure'),
    h('div', { class: 'muted' }, `${c.source}${c.confidence ? ` · ${c.confidence} confidence` : ''}`),
    h('p', { class: c.explained ? 'root-cause' : 'root-cause muted' }, c.rootCause),
    c.evidence.length ? h('pre', { class: 'evidence' }, c.evidence.slice(0, 8).join('\n')) : null,
    c.fix.length ? h('ol', { class: 'fix-steps' }, ...c.fix.map((step) => h('li', {}, step))) : null,
    c.files.length
      ? h(
          'ul',
          { class: 'ci-files' },
          ...c.files.map((f) =>
            h(
              'li',
              {},
              h(
                'button',
                { class: 'link', type: 'button', onclick: () => on.open(f.file, f.line ?? 1) },
                `${f.file}${f.line ? `:${f.line}` : ''}`,
              ),
              f.why ? h('span', { class: 'muted' }, ` — ${f.why}`) : null,
            ),
          ),
        )
      : null,
  );
}
