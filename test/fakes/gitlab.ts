import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { join } from 'node:path';
import Ajv, { type ValidateFunction } from 'ajv';
import { LoopbackServer, sendJson, type RecordedRequest } from './http.js';

/**
 * The request bodies GitLab documents for each write (test/fixtures/gitlab/api-requests.schema.json,
 * written from GitLab's API documentation), compiled once per test process.
 */
const SHAPES = JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', 'gitlab', 'api-requests.schema.json'), 'utf8')) as Record<
  string,
  object
>;
const ajv = new Ajv({ strict: false, allErrors: true });
const validators = new Map<string, ValidateFunction>();
function validatorFor(key: string): ValidateFunction | undefined {
  if (!(key in SHAPES)) return undefined;
  if (!validators.has(key)) validators.set(key, ajv.compile(SHAPES[key]));
  return validators.get(key);
}

/** One line of a merge request's diff, as GitLab numbers it: added (new), removed (old) or context (both). */
export interface FakeDiffLine {
  old?: number;
  new?: number;
}

export interface FakeMergeRequest {
  iid: number;
  title: string;
  state: 'opened' | 'closed' | 'merged';
  author: string;
  sourceBranch: string;
  targetBranch: string;
  diffRefs: { base_sha: string; start_sha: string; head_sha: string } | null;
  /** The MR's diff by new path: its old path and every line GitLab accepts a diff note on. */
  diff: Map<string, { oldPath: string; lines: FakeDiffLine[] }>;
}

export interface FakeNote {
  id: number;
  body: string;
  author: { username: string };
  system: boolean;
  type: 'DiffNote' | 'DiscussionNote' | null;
  noteable_iid: number;
  position?: Record<string, unknown>;
}

export interface FakeDiscussion {
  id: string;
  mr: number;
  individual_note: boolean;
  notes: FakeNote[];
}

/** See the GitHub fake: a failure injected after the fake carried the write out. */
export interface Fault {
  /** e.g. `POST /projects/:id/merge_requests/:merge_request_iid/notes` */
  route: string;
  kind: 'drop' | '502';
  times?: number;
}

const ROUTES: [string, string][] = [
  ['GET', '/user'],
  ['GET', '/projects/:id/merge_requests'],
  ['GET', '/projects/:id/merge_requests/:merge_request_iid'],
  ['GET', '/projects/:id/merge_requests/:merge_request_iid/notes'],
  ['POST', '/projects/:id/merge_requests/:merge_request_iid/notes'],
  ['PUT', '/projects/:id/merge_requests/:merge_request_iid/notes/:note_id'],
  ['DELETE', '/projects/:id/merge_requests/:merge_request_iid/notes/:note_id'],
  ['GET', '/projects/:id/merge_requests/:merge_request_iid/discussions'],
  ['POST', '/projects/:id/merge_requests/:merge_request_iid/discussions'],
  ['DELETE', '/projects/:id/merge_requests/:merge_request_iid/discussions/:discussion_id/notes/:note_id'],
  ['POST', '/projects/:id/statuses/:sha'],
  ['POST', '/projects/:id/deployments'],
  ['PUT', '/projects/:id/deployments/:deployment_id'],
];

function match(method: string, path: string): { template: string; params: Record<string, string> } | null {
  for (const [m, template] of ROUTES) {
    if (m !== method) continue;
    const names: string[] = [];
    const re = new RegExp('^' + template.replace(/:(\w+)/g, (_, n) => (names.push(n), '([^/]+)')) + '$');
    const hit = re.exec(path);
    if (hit) return { template, params: Object.fromEntries(names.map((n, i) => [n, decodeURIComponent(hit[i + 1])])) };
  }
  return null;
}

/** A stateful GitLab REST API v4 on loopback, under `/api/v4` (what CI_API_V4_URL names). */
export class FakeGitLab extends LoopbackServer {
  readonly projectId = 42;
  readonly tokens = new Map<string, string>();
  readonly mergeRequests: FakeMergeRequest[] = [];
  /** Notes outside discussions threads (GitLab lists them as individual-note discussions too). */
  readonly notes: FakeNote[] = [];
  readonly discussions: FakeDiscussion[] = [];
  readonly statuses: { sha: string; state: string; name: string; description?: string }[] = [];
  readonly deployments: { id: number; environment: string; sha: string; status: string }[] = [];
  /** Requests the fake refused: each is a defect in the client unless a test asked for it. */
  readonly rejected: { request: string; status: number; reason: string }[] = [];
  readonly faults: Fault[] = [];
  /** Notes removed through DELETE, by id. */
  readonly deleted: number[] = [];
  latencyMs = 0;
  /** Answer the next N reads with 429 and `Retry-After: 1`, as GitLab's rate limiter does. */
  busyReads = 0;
  /** Page size cap, so that pagination is exercised with few items. */
  maxPerPage = 100;
  private nextId = 5000;

  constructor(readonly projectPath = 'acme/platform/widgets') {
    super((req, res) => this.handle(req, res));
  }

  get apiUrl(): string {
    return `${this.url}/api/v4`;
  }

  get webUrl(): string {
    return `https://gitlab.example.com/${this.projectPath}`;
  }

  /** Every note on merge request `iid`, discussion notes included, oldest first. */
  allNotes(iid: number): FakeNote[] {
    return [
      ...this.notes.filter((n) => n.noteable_iid === iid),
      ...this.discussions.filter((d) => d.mr === iid).flatMap((d) => d.notes),
    ].sort((a, b) => a.id - b.id);
  }

  /** Why GitLab would refuse this text position on the MR, or null when it lies on a line of the MR's diff. */
  positionProblem(mr: FakeMergeRequest, p: Record<string, unknown>): string | null {
    const refs = mr.diffRefs;
    if (!refs || p.base_sha !== refs.base_sha || p.start_sha !== refs.start_sha || p.head_sha !== refs.head_sha)
      return 'position does not match the diff_refs of the merge request';
    const file = mr.diff.get(String(p.new_path));
    if (!file || file.oldPath !== p.old_path)
      return `${String(p.old_path)} → ${String(p.new_path)} is not a file of the merge request's diff`;
    const ok = file.lines.some((l) => l.old === p.old_line && l.new === p.new_line);
    return ok ? null : `old_line ${String(p.old_line)}, new_line ${String(p.new_line)} is not a line of the diff of ${String(p.new_path)}`;
  }

  private reject(res: ServerResponse, req: RecordedRequest, status: number, message: unknown): void {
    this.rejected.push({
      request: `${req.method} ${req.path}`,
      status,
      reason: typeof message === 'string' ? message : JSON.stringify(message),
    });
    sendJson(res, status, typeof message === 'string' ? { message } : { message });
  }

  private takeFault(key: string): Fault | undefined {
    const i = this.faults.findIndex((f) => f.route === key);
    if (i < 0) return undefined;
    const f = this.faults[i];
    f.times = (f.times ?? 1) - 1;
    if (f.times <= 0) this.faults.splice(i, 1);
    return f;
  }

  private async handle(req: RecordedRequest, res: ServerResponse): Promise<void> {
    if (this.latencyMs > 0) await new Promise((r) => setTimeout(r, this.latencyMs));
    this.route(req, res);
  }

  private page<T>(url: URL, items: T[], send: (status: number, body: unknown, headers?: Record<string, string>) => void): void {
    const perPage = Math.min(Number(url.searchParams.get('per_page') ?? 20), this.maxPerPage);
    const page = Math.max(1, Number(url.searchParams.get('page') ?? 1));
    const slice = items.slice((page - 1) * perPage, page * perPage);
    const next = page * perPage < items.length ? String(page + 1) : '';
    send(200, slice, { 'x-page': String(page), 'x-per-page': String(perPage), 'x-next-page': next, 'x-total': String(items.length) });
  }

  private route(req: RecordedRequest, res: ServerResponse): void {
    const url = new URL(req.path, 'http://x');
    if (!url.pathname.startsWith('/api/v4/')) return this.reject(res, req, 404, '404 Not Found');
    const path = url.pathname.slice('/api/v4'.length);
    const token = String(req.headers['private-token'] ?? String(req.headers.authorization ?? '').replace(/^bearer\s+/i, ''));
    const user = this.tokens.get(token);
    if (!user) return this.reject(res, req, 401, '401 Unauthorized');
    if (req.method === 'GET' && this.busyReads > 0) {
      this.busyReads--;
      this.rejected.push({ request: `${req.method} ${req.path}`, status: 429, reason: 'rate limited (injected)' });
      res.writeHead(429, { 'content-type': 'text/plain', 'retry-after': '1' });
      return void res.end('Retry later\n');
    }
    const route = match(req.method, path);
    if (!route) return this.reject(res, req, 404, '404 Not Found');
    const p = route.params;
    if (p.id !== undefined && p.id !== this.projectPath && p.id !== String(this.projectId))
      return this.reject(res, req, 404, '404 Project Not Found');
    const key = `${req.method} ${route.template}`;
    const body = (req.json ?? {}) as Record<string, any>;
    if (req.method === 'POST' || req.method === 'PUT') {
      if (req.body && !/application\/json/.test(String(req.headers['content-type'] ?? '')))
        return this.reject(res, req, 415, 'the fake takes JSON bodies only');
      const validate = validatorFor(key);
      if (!validate) return this.reject(res, req, 500, `the fake has no documented shape for ${key}`);
      if (!validate(body)) return this.reject(res, req, 400, `${ajv.errorsText(validate.errors)}`);
    }
    const fault = req.method === 'GET' ? undefined : this.takeFault(key);
    const send = (status: number, payload: unknown, headers: Record<string, string> = {}): void => {
      if (fault?.kind === 'drop') return void res.socket?.destroy();
      if (fault) return sendJson(res, 502, { message: '502 Bad Gateway' });
      if (status === 204) {
        res.writeHead(204, headers);
        return void res.end();
      }
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(payload));
    };
    const mr = p.merge_request_iid !== undefined ? this.mergeRequests.find((m) => m.iid === Number(p.merge_request_iid)) : undefined;
    if (p.merge_request_iid !== undefined && !mr) return this.reject(res, req, 404, '404 Not found');
    switch (key) {
      case 'GET /user':
        return send(200, { id: 1, username: user, name: user, state: 'active' });
      case 'GET /projects/:id/merge_requests': {
        const state = url.searchParams.get('state') ?? 'all';
        const source = url.searchParams.get('source_branch');
        const list = this.mergeRequests.filter((m) => (!source || m.sourceBranch === source) && (state === 'all' || m.state === state));
        return this.page(
          url,
          list.map((m) => this.mrJson(m, false)),
          send,
        );
      }
      case 'GET /projects/:id/merge_requests/:merge_request_iid':
        return send(200, this.mrJson(mr!, true));
      case 'GET /projects/:id/merge_requests/:merge_request_iid/notes': {
        const notes = this.allNotes(mr!.iid);
        if (url.searchParams.get('sort') !== 'asc') notes.reverse();
        return this.page(url, notes, send);
      }
      case 'POST /projects/:id/merge_requests/:merge_request_iid/notes': {
        const n: FakeNote = {
          id: this.nextId++,
          body: body.body,
          author: { username: user },
          system: false,
          type: null,
          noteable_iid: mr!.iid,
        };
        this.notes.push(n);
        return send(201, n);
      }
      case 'PUT /projects/:id/merge_requests/:merge_request_iid/notes/:note_id': {
        const n = this.allNotes(mr!.iid).find((x) => x.id === Number(p.note_id));
        if (!n) return this.reject(res, req, 404, '404 Note Not Found');
        if (n.author.username !== user) return this.reject(res, req, 403, '403 Forbidden');
        n.body = body.body;
        return send(200, n);
      }
      case 'DELETE /projects/:id/merge_requests/:merge_request_iid/notes/:note_id': {
        const at = this.notes.findIndex((x) => x.id === Number(p.note_id) && x.noteable_iid === mr!.iid);
        if (at < 0) return this.reject(res, req, 404, '404 Note Not Found');
        if (this.notes[at].author.username !== user) return this.reject(res, req, 403, '403 Forbidden');
        this.deleted.push(this.notes[at].id);
        this.notes.splice(at, 1);
        return send(204, undefined);
      }
      case 'GET /projects/:id/merge_requests/:merge_request_iid/discussions': {
        const individual = this.notes
          .filter((n) => n.noteable_iid === mr!.iid)
          .map((n) => ({ id: this.discussionId(n.id), individual_note: true, notes: [n] }));
        const threads = this.discussions.filter((d) => d.mr === mr!.iid).map(({ mr: _m, ...d }) => d);
        const all = [...individual, ...threads].sort((a, b) => a.notes[0].id - b.notes[0].id);
        return this.page(url, all, send);
      }
      case 'POST /projects/:id/merge_requests/:merge_request_iid/discussions': {
        const position = body.position as Record<string, unknown> | undefined;
        if (position?.position_type === 'text') {
          const problem = this.positionProblem(mr!, position);
          // GitLab's answer to a position off the diff.
          if (problem)
            return this.reject(
              res,
              req,
              400,
              `400 Bad request - Note {:line_code=>["can't be blank", "must be a valid line code"]} (${problem})`,
            );
        }
        const note: FakeNote = {
          id: this.nextId++,
          body: body.body,
          author: { username: user },
          system: false,
          type: position ? 'DiffNote' : 'DiscussionNote',
          noteable_iid: mr!.iid,
          ...(position ? { position } : {}),
        };
        const d: FakeDiscussion = { id: this.discussionId(note.id), mr: mr!.iid, individual_note: false, notes: [note] };
        this.discussions.push(d);
        const { mr: _m, ...json } = d;
        return send(201, json);
      }
      case 'DELETE /projects/:id/merge_requests/:merge_request_iid/discussions/:discussion_id/notes/:note_id': {
        const d = this.discussions.find((x) => x.id === p.discussion_id && x.mr === mr!.iid);
        const at = d ? d.notes.findIndex((n) => n.id === Number(p.note_id)) : -1;
        if (!d || at < 0) return this.reject(res, req, 404, '404 Note Not Found');
        if (d.notes[at].author.username !== user) return this.reject(res, req, 403, '403 Forbidden');
        this.deleted.push(d.notes[at].id);
        d.notes.splice(at, 1);
        if (d.notes.length === 0) this.discussions.splice(this.discussions.indexOf(d), 1);
        return send(204, undefined);
      }
      case 'POST /projects/:id/statuses/:sha': {
        const name = body.name ?? body.context ?? 'default';
        const last = [...this.statuses].reverse().find((s) => s.sha === p.sha && s.name === name);
        // GitLab refuses a transition to the state a status already has.
        if (last && last.state === body.state)
          return this.reject(res, req, 400, `Cannot transition status via :${body.state} from :${last.state}`);
        this.statuses.push({ sha: p.sha, state: body.state, name, description: body.description });
        return send(201, { id: this.nextId++, sha: p.sha, status: body.state, name, description: body.description ?? null });
      }
      case 'POST /projects/:id/deployments': {
        const d = { id: this.nextId++, environment: body.environment, sha: body.sha, status: body.status };
        this.deployments.push(d);
        return send(201, d);
      }
      case 'PUT /projects/:id/deployments/:deployment_id': {
        const d = this.deployments.find((x) => x.id === Number(p.deployment_id));
        if (!d) return this.reject(res, req, 404, '404 Not found');
        d.status = body.status;
        return send(200, d);
      }
    }
    return this.reject(res, req, 404, '404 Not Found');
  }

  private discussionId(noteId: number): string {
    return createHash('sha1').update(`discussion-${noteId}`).digest('hex');
  }

  private mrJson(m: FakeMergeRequest, single: boolean): Record<string, unknown> {
    return {
      id: 100_000 + m.iid,
      iid: m.iid,
      project_id: this.projectId,
      title: m.title,
      state: m.state,
      author: { id: 7, username: m.author },
      source_branch: m.sourceBranch,
      target_branch: m.targetBranch,
      sha: m.diffRefs?.head_sha ?? null,
      web_url: `${this.webUrl}/-/merge_requests/${m.iid}`,
      // The list omits diff_refs, as GitLab's does.
      ...(single ? { diff_refs: m.diffRefs } : {}),
    };
  }
}
