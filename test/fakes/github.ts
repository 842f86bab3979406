import { readFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import Ajv, { type ValidateFunction } from 'ajv';
import { LoopbackServer, sendJson, type RecordedRequest } from './http.js';

/** GitHub's own OpenAPI description (from @octokit/openapi), parsed once per test process. */
let spec: { paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: object }> } }>> } | undefined;
const validators = new Map<string, ValidateFunction | null>();
const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });

function validatorFor(method: string, template: string): ValidateFunction | null {
  const key = `${method} ${template}`;
  if (!validators.has(key)) {
    spec ??= JSON.parse(readFileSync(require.resolve('@octokit/openapi/generated/api.github.com.deref.json'), 'utf8'));
    const op = spec!.paths[template]?.[method.toLowerCase()];
    if (!op) throw new Error(`the fake serves ${key}, which GitHub's OpenAPI description does not have`);
    const schema = op.requestBody?.content['application/json']?.schema;
    validators.set(key, schema ? ajv.compile(schema) : null);
  }
  return validators.get(key)!;
}

export interface FakePull {
  number: number;
  title: string;
  state: 'open' | 'closed';
  author: string;
  head: { ref: string; sha: string; owner: string };
  base: { ref: string; sha: string };
  /** RIGHT-side lines GitHub accepts comments on, per file (from the real diff). */
  commentable: Map<string, { start: number; end: number }[]>;
  /** LEFT-side (old-file) lines GitHub accepts comments on; none when absent. */
  commentableLeft?: Map<string, { start: number; end: number }[]>;
}

interface Comment {
  id: number;
  body: string;
  user: { login: string };
  path?: string;
  line?: number;
  start_line?: number | null;
  side?: 'LEFT' | 'RIGHT';
  commit_id?: string;
}

const ROUTES: [string, string][] = [
  ['GET', '/user'],
  ['GET', '/repos/{owner}/{repo}/pulls'],
  ['GET', '/repos/{owner}/{repo}/pulls/{pull_number}'],
  ['GET', '/repos/{owner}/{repo}/pulls/{pull_number}/comments'],
  ['POST', '/repos/{owner}/{repo}/pulls/{pull_number}/reviews'],
  ['GET', '/repos/{owner}/{repo}/issues/{issue_number}/comments'],
  ['POST', '/repos/{owner}/{repo}/issues/{issue_number}/comments'],
  ['PATCH', '/repos/{owner}/{repo}/issues/comments/{comment_id}'],
  ['DELETE', '/repos/{owner}/{repo}/issues/comments/{comment_id}'],
  ['DELETE', '/repos/{owner}/{repo}/pulls/comments/{comment_id}'],
  ['POST', '/repos/{owner}/{repo}/statuses/{sha}'],
  ['POST', '/repos/{owner}/{repo}/deployments'],
  ['POST', '/repos/{owner}/{repo}/deployments/{deployment_id}/statuses'],
  ['POST', '/repos/{owner}/{repo}/code-scanning/sarifs'],
];

function match(method: string, path: string): { template: string; params: Record<string, string> } | null {
  for (const [m, template] of ROUTES) {
    if (m !== method) continue;
    const names: string[] = [];
    const re = new RegExp('^' + template.replace(/\{(\w+)\}/g, (_, n) => (names.push(n), '([^/]+)')) + '$');
    const hit = re.exec(path);
    if (hit) return { template, params: Object.fromEntries(names.map((n, i) => [n, decodeURIComponent(hit[i + 1])])) };
  }
  return null;
}

/**
 * A failure injected into the next matching write, after the fake has carried it out, as a
 * connection dropped on the way back or a gateway error does: the client cannot tell it succeeded.
 */
export interface Fault {
  /** e.g. `POST /repos/{owner}/{repo}/issues/{issue_number}/comments` */
  route: string;
  kind: 'drop' | '502';
  /** How many matching requests it hits (1 by default). */
  times?: number;
}

/** A stateful GitHub REST API on loopback, for Octokit via `baseUrl`. */
export class FakeGitHub extends LoopbackServer {
  readonly owner: string;
  readonly repo: string;
  readonly tokens = new Map<string, string>();
  readonly pulls: FakePull[] = [];
  readonly issueComments: Comment[] = [];
  readonly reviewComments: Comment[] = [];
  readonly reviews: { id: number; event: string; body: string; user: string }[] = [];
  readonly statuses: { sha: string; state: string; context: string; description?: string }[] = [];
  readonly deployments: { id: number; ref: string; environment: string; payload: unknown; statuses: { state: string }[] }[] = [];
  readonly sarifUploads: { commit_sha: string; ref: string; sarif: string }[] = [];
  /** Requests the fake refused: each is a defect in the client. */
  readonly rejected: { request: string; status: number; reason: string }[] = [];
  /** Answer the next N writes with a secondary rate limit (403 + retry-after). */
  secondaryLimitWrites = 0;
  /** Failures after processing, see Fault. */
  readonly faults: Fault[] = [];
  /** Comments removed through DELETE, by id. */
  readonly deleted: number[] = [];
  /** Delay every answer by this long, so that concurrent clients overlap. */
  latencyMs = 0;
  private nextId = 1000;

  constructor(owner = 'acme', repo = 'widgets') {
    super((req, res) => this.handle(req, res));
    this.owner = owner;
    this.repo = repo;
  }

  get writes(): RecordedRequest[] {
    return this.requests.filter((r) => r.method !== 'GET');
  }

  private reject(res: ServerResponse, req: RecordedRequest, status: number, message: string, extra: object = {}): void {
    this.rejected.push({ request: `${req.method} ${req.path}`, status, reason: message });
    sendJson(res, status, { message, documentation_url: 'https://docs.github.com/rest', ...extra });
  }

  private async handle(req: RecordedRequest, res: ServerResponse): Promise<void> {
    if (this.latencyMs > 0) await new Promise((r) => setTimeout(r, this.latencyMs));
    this.route(req, res);
  }

  private takeFault(key: string): Fault | undefined {
    const i = this.faults.findIndex((f) => f.route === key);
    if (i < 0) return undefined;
    const f = this.faults[i];
    f.times = (f.times ?? 1) - 1;
    if (f.times <= 0) this.faults.splice(i, 1);
    return f;
  }

  private route(req: RecordedRequest, res: ServerResponse): void {
    const url = new URL(req.path, 'http://x');
    const auth = String(req.headers.authorization ?? '').replace(/^(token|bearer)\s+/i, '');
    const user = this.tokens.get(auth);
    if (!user) return this.reject(res, req, 401, 'Bad credentials');
    const route = match(req.method, url.pathname);
    if (!route) return this.reject(res, req, 404, 'Not Found');
    const p = route.params;
    if (p.owner !== undefined && (p.owner !== this.owner || p.repo !== this.repo)) return this.reject(res, req, 404, 'Not Found');
    if (req.method !== 'GET') {
      const validate = validatorFor(req.method, route.template);
      if (validate && !validate(req.json)) return this.reject(res, req, 422, 'Invalid request.', { errors: validate.errors });
      if (this.secondaryLimitWrites > 0) {
        this.secondaryLimitWrites--;
        this.rejected.push({ request: `${req.method} ${req.path}`, status: 403, reason: 'secondary rate limit (injected)' });
        res.writeHead(403, { 'content-type': 'application/json', 'retry-after': '1' });
        res.end(JSON.stringify({ message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.' }));
        return;
      }
    }
    const key = `${req.method} ${route.template}`;
    const fault = req.method === 'GET' ? undefined : this.takeFault(key);
    /** The answer to a request the fake carried out, unless a fault eats it. */
    const send = (status: number, payload: unknown): void => {
      if (!fault) return sendJson(res, status, payload);
      if (fault.kind === 'drop') return void res.socket?.destroy();
      sendJson(res, 502, { message: 'Server Error' });
    };
    const body = (req.json ?? {}) as Record<string, any>;
    const pull =
      (p.pull_number ?? p.issue_number) ? this.pulls.find((x) => x.number === Number(p.pull_number ?? p.issue_number)) : undefined;
    switch (key) {
      case 'GET /user':
        return send(200, { login: user, id: 1, type: 'User' });
      case 'GET /repos/{owner}/{repo}/pulls': {
        const head = url.searchParams.get('head');
        const state = url.searchParams.get('state') ?? 'open';
        const list = this.pulls.filter(
          (x) => (!head || `${x.head.owner}:${x.head.ref}` === head) && (state === 'all' || x.state === state),
        );
        return send(
          200,
          list.map((x) => this.pullJson(x)),
        );
      }
      case 'GET /repos/{owner}/{repo}/pulls/{pull_number}':
        return pull ? send(200, this.pullJson(pull)) : this.reject(res, req, 404, 'Not Found');
      case 'GET /repos/{owner}/{repo}/pulls/{pull_number}/comments':
        return send(200, pull ? this.reviewComments : []);
      case 'GET /repos/{owner}/{repo}/issues/{issue_number}/comments':
        return send(200, pull ? this.issueComments : []);
      case 'POST /repos/{owner}/{repo}/issues/{issue_number}/comments': {
        if (!pull) return this.reject(res, req, 404, 'Not Found');
        const c: Comment = { id: this.nextId++, body: body.body, user: { login: user } };
        this.issueComments.push(c);
        return send(201, c);
      }
      case 'DELETE /repos/{owner}/{repo}/issues/comments/{comment_id}':
      case 'DELETE /repos/{owner}/{repo}/pulls/comments/{comment_id}': {
        const list = key.includes('/issues/') ? this.issueComments : this.reviewComments;
        const at = list.findIndex((x) => x.id === Number(p.comment_id));
        if (at < 0) return this.reject(res, req, 404, 'Not Found');
        if (list[at].user.login !== user) return this.reject(res, req, 403, 'Must have admin rights to Repository.');
        this.deleted.push(list[at].id);
        list.splice(at, 1);
        res.writeHead(204);
        return void res.end();
      }
      case 'PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}': {
        const c = this.issueComments.find((x) => x.id === Number(p.comment_id));
        if (!c) return this.reject(res, req, 404, 'Not Found');
        if (c.user.login !== user) return this.reject(res, req, 403, 'Must have admin rights to Repository.');
        c.body = body.body;
        return send(200, c);
      }
      case 'POST /repos/{owner}/{repo}/pulls/{pull_number}/reviews': {
        if (!pull) return this.reject(res, req, 404, 'Not Found');
        if (body.event === 'REQUEST_CHANGES' && pull.author === user)
          return this.reject(res, req, 422, 'Unprocessable Entity', { errors: ['Can not request changes on your own pull request'] });
        for (const c of body.comments ?? []) {
          const ranges = (c.side === 'LEFT' ? pull.commentableLeft : pull.commentable)?.get(c.path) ?? [];
          const start = c.start_line ?? c.line;
          if (!ranges.some((r) => start >= r.start && c.line <= r.end)) {
            return this.reject(res, req, 422, 'Unprocessable Entity', {
              errors: [`Pull request review thread line must be part of the diff (${c.path}:${c.line})`],
            });
          }
        }
        const id = this.nextId++;
        this.reviews.push({ id, event: body.event ?? 'PENDING', body: body.body ?? '', user });
        for (const c of body.comments ?? [])
          this.reviewComments.push({
            id: this.nextId++,
            body: c.body,
            user: { login: user },
            path: c.path,
            line: c.line,
            start_line: c.start_line ?? null,
            side: c.side ?? 'RIGHT',
            commit_id: body.commit_id,
          });
        return send(200, {
          id,
          state: body.event === 'REQUEST_CHANGES' ? 'CHANGES_REQUESTED' : 'COMMENTED',
          user: { login: user },
          body: body.body,
        });
      }
      case 'POST /repos/{owner}/{repo}/statuses/{sha}':
        this.statuses.push({ sha: p.sha, state: body.state, context: body.context, description: body.description });
        return send(201, { id: this.nextId++, state: body.state, context: body.context });
      case 'POST /repos/{owner}/{repo}/deployments': {
        const d = { id: this.nextId++, ref: body.ref, environment: body.environment ?? 'production', payload: body.payload, statuses: [] };
        this.deployments.push(d);
        return send(201, { id: d.id, ref: d.ref, environment: d.environment, sha: body.ref });
      }
      case 'POST /repos/{owner}/{repo}/code-scanning/sarifs':
        this.sarifUploads.push({ commit_sha: body.commit_sha, ref: body.ref, sarif: body.sarif });
        return send(202, { id: `sarif-${this.nextId++}`, url: 'https://api.github.com/x' });
      case 'POST /repos/{owner}/{repo}/deployments/{deployment_id}/statuses': {
        const d = this.deployments.find((x) => x.id === Number(p.deployment_id));
        if (!d) return this.reject(res, req, 404, 'Not Found');
        d.statuses.push({ state: body.state });
        return send(201, { id: this.nextId++, state: body.state });
      }
    }
    return this.reject(res, req, 404, 'Not Found');
  }

  private pullJson(x: FakePull): Record<string, unknown> {
    const repoJson = { name: this.repo, full_name: `${this.owner}/${this.repo}`, owner: { login: this.owner } };
    return {
      number: x.number,
      title: x.title,
      state: x.state,
      user: { login: x.author },
      html_url: `https://github.com/${this.owner}/${this.repo}/pull/${x.number}`,
      head: {
        ref: x.head.ref,
        sha: x.head.sha,
        label: `${x.head.owner}:${x.head.ref}`,
        repo: { ...repoJson, owner: { login: x.head.owner } },
      },
      base: { ref: x.base.ref, sha: x.base.sha, label: `${this.owner}:${x.base.ref}`, repo: repoJson },
    };
  }
}
