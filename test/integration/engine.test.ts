import assert from 'node:assert/strict';
import { ReviewCache } from '../../src/core/cache.js';
import { DEFAULT_CONFIG, type PullmintConfig } from '../../src/core/config/schema.js';
import { runReview, type ReviewEvent } from '../../src/core/engine.js';
import { HistoryStore } from '../../src/core/history.js';
import { AnthropicProvider } from '../../src/core/providers/anthropic.js';
import { OllamaProvider } from '../../src/core/providers/ollama.js';
import { FakeAnthropic } from '../fakes/anthropic.js';
import { FakeOllama } from '../fakes/ollama.js';
import { TempRepo, tempDir } from '../helpers/git.js';

function config(over: Partial<PullmintConfig> = {}): PullmintConfig {
  return { ...structuredClone(DEFAULT_CONFIG), ...over };
}

function ollama(host: string, numCtx = 16384): OllamaProvider {
  return new OllamaProvider({ host, model: 'qwen2.5-coder:7b', maxNumCtx: numCtx, outputReserve: 512, keepAlive: '5m', temperature: 0.1 });
}

/** A repository with a change that the scripted model and the rules both have something to say about. */
function repoWithProblems(): TempRepo {
  const repo = new TempRepo();
  repo.write('src/db/users.ts', 'export async function find(db, id) {\n  return db.query("SELECT 1");\n}\n');
  repo.write('src/util.ts', 'export const one = 1;\n');
  repo.commit('base');
  repo.write(
    'src/db/users.ts',
    [
      'export async function find(db, id) {',
      '  const rows = await db.query("SELECT * FROM users WHERE id = " + id);',
      '  return rows;',
      '}',
      '',
    ].join('\n'),
  );
  repo.write('src/util.ts', 'export const one = 1;\nexport const run = (s: string) => eval(s);\n// TODO remove\n');
  repo.write('src/config.ts', 'export const key = "AKIAIOSFODNN7EXAMPLE";\n');
  return repo;
}

describe('review engine end to end (real git, loopback Ollama)', () => {
  let server: FakeOllama;
  let repo: TempRepo;
  beforeEach(async () => {
    server = new FakeOllama({ contextLength: 32768 });
    await server.start();
    repo = repoWithProblems();
  });
  afterEach(async () => {
    await server.stop();
    repo.remove();
  });

  it('merges model and rule findings on exact lines, scores them, and streams findings per chunk', async () => {
    const events: ReviewEvent[] = [];
    const stateDir = tempDir();
    const r = await runReview({
      repoDir: repo.dir,
      target: { kind: 'working-tree' },
      config: config(),
      provider: ollama(server.url),
      stateDir,
      onEvent: (e) => events.push(e),
    });
    const got = r.findings.map((f) => [f.file, f.line, f.severity, f.origin]);
    assert.deepEqual(got, [
      ['src/config.ts', 1, 'critical', 'rule'],
      ['src/db/users.ts', 2, 'critical', 'llm'],
      ['src/util.ts', 2, 'high', 'llm'],
      ['src/util.ts', 3, 'low', 'llm'],
    ]);
    assert.equal(r.riskScore, 78);
    assert.equal(r.decision, 'manual-review');
    assert.equal(r.rulesOnly, false);
    // The removed `return db.query("SELECT 1");` is a changed line too.
    assert.equal(r.coverage.changedLines, 6);
    assert.equal(r.coverage.reviewedLines, 6);
    assert.deepEqual(r.coverage.unreviewed, []);
    assert.ok(r.findings.find((f) => f.file === 'src/db/users.ts')?.suggestion?.includes('$1'));
    assert.ok(events.some((e) => e.type === 'findings' && e.source === 'rules'));
    assert.ok(events.some((e) => e.type === 'findings' && e.source === 'llm' && e.findings.length > 0));
    const history = await new HistoryStore(stateDir, r.repo).list();
    assert.equal(history.length, 1);
    assert.equal(history[0].status, 'completed');
    assert.equal(history[0].executionId, r.executionId);
    assert.match(r.executionId, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('anchors by quote when the model gets the line number wrong', async () => {
    server.opts.triggers = [{ contains: 'eval(', severity: 'high', category: 'security', title: 'eval', message: 'm', lineOffset: 7 }];
    const r = await runReview({ repoDir: repo.dir, target: { kind: 'working-tree' }, config: config(), provider: ollama(server.url) });
    assert.deepEqual(
      r.findings.filter((f) => f.origin === 'llm').map((f) => [f.file, f.line]),
      [['src/util.ts', 2]],
    );
  });

  it('makes zero model calls for an unchanged diff, and re-sends only the edited file', async () => {
    const cache = new ReviewCache(tempDir());
    const cfg = config();
    const first = await runReview({
      repoDir: repo.dir,
      target: { kind: 'working-tree' },
      config: cfg,
      provider: ollama(server.url),
      cache,
    });
    assert.equal(first.stats.llmCalls, 1, 'three small files go to the model in one chunk');
    const again = await runReview({
      repoDir: repo.dir,
      target: { kind: 'working-tree' },
      config: cfg,
      provider: ollama(server.url),
      cache,
    });
    assert.equal(again.stats.llmCalls, 0);
    assert.equal(again.stats.cacheHits, 3, 'one cache unit per file');
    assert.deepEqual(
      again.findings.map((f) => f.id),
      first.findings.map((f) => f.id),
    );
    assert.equal(again.coverage.reviewedLines, first.coverage.reviewedLines);
    repo.write('src/util.ts', 'export const one = 1;\nexport const run = (s: string) => eval(s);\n// TODO remove soon\n');
    const before = server.chatRequests.length;
    const edited = await runReview({
      repoDir: repo.dir,
      target: { kind: 'working-tree' },
      config: cfg,
      provider: ollama(server.url),
      cache,
    });
    assert.equal(edited.stats.llmCalls, 1);
    assert.equal(edited.stats.cacheHits, 2);
    assert.equal(edited.findings.length, first.findings.length);
    const sent = server.chatRequests.slice(before).map((r) => JSON.stringify(r.json));
    assert.equal(sent.length, 1);
    assert.ok(sent[0].includes('src/util.ts') && !sent[0].includes('src/db/users.ts'));
  });

  it('says precisely what a call limit left unreviewed, high-risk files first', async () => {
    const r = await runReview({
      repoDir: repo.dir,
      target: { kind: 'working-tree' },
      config: config({ maxCalls: 1 }),
      provider: ollama(server.url, 1100),
    });
    assert.equal(r.stats.llmCalls, 1);
    assert.ok(r.coverage.reviewedLines < r.coverage.changedLines);
    const unreviewedFiles = new Set(r.coverage.unreviewed.map((u) => u.file));
    const sent = (server.chatRequests[0].json as { messages: { content: string }[] }).messages.map((m) => m.content).join('\n');
    assert.ok(sent.includes('### "src/db/users.ts"'), 'the SQL file was reviewed first');
    assert.ok(!sent.includes('src/util.ts'));
    assert.ok(unreviewedFiles.has('src/util.ts'), 'the ordinary file was left out and listed');
    assert.ok(r.coverage.unreviewed.every((u) => /review limit reached/.test(u.reason)));
    const unreviewedCount = r.coverage.unreviewed.reduce((n, u) => n + (u.endLine - u.startLine + 1), 0);
    assert.equal(r.coverage.reviewedLines + unreviewedCount, r.coverage.changedLines, 'every changed line is either reviewed or listed');
  });

  it('falls back to the rules with the fix when the model is not pulled', async () => {
    server.opts.models = ['llama3:8b'];
    const r = await runReview({ repoDir: repo.dir, target: { kind: 'working-tree' }, config: config(), provider: ollama(server.url) });
    assert.equal(r.rulesOnly, true);
    assert.equal(r.modelError?.kind, 'model-missing');
    assert.match(r.modelError!.message, /ollama pull qwen2\.5-coder:7b/);
    assert.deepEqual(
      r.findings.map((f) => f.rule),
      ['hardcoded-secret'],
    );
    assert.equal(r.coverage.reviewedLines, 0);
    assert.equal(server.chatRequests.length, 0);
  });

  it('keeps going when the model answers garbage: lines are listed as unreviewed, nothing crashes', async () => {
    server.opts.mode = 'garbage';
    const r = await runReview({ repoDir: repo.dir, target: { kind: 'working-tree' }, config: config(), provider: ollama(server.url) });
    assert.equal(r.coverage.reviewedLines, 0);
    assert.ok(r.coverage.unreviewed.length > 0);
    assert.ok(r.warnings.some((w) => /without JSON/.test(w)));
    assert.ok(r.modelError);
  });

  it('is cancellable: an aborted review rejects and is recorded as failed', async () => {
    server.opts.mode = 'slow';
    const stateDir = tempDir();
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('cancelled by user')), 200);
    await assert.rejects(
      runReview({
        repoDir: repo.dir,
        target: { kind: 'working-tree' },
        config: config(),
        provider: ollama(server.url),
        signal: controller.signal,
        stateDir,
      }),
    );
    const [rec] = await new HistoryStore(stateDir, repo.dir).list();
    assert.equal(rec.status, 'failed');
  });
});

describe('review engine with Claude (loopback Messages API)', () => {
  it('redacts secrets before the prompt leaves the machine and reports cost', async () => {
    const server = new FakeAnthropic();
    await server.start();
    const repo = repoWithProblems();
    try {
      const provider = new AnthropicProvider({
        apiKey: server.apiKey,
        baseURL: server.url,
        model: 'claude-sonnet-5',
        maxOutputTokens: 4096,
        maxRetries: 0,
      });
      const r = await runReview({ repoDir: repo.dir, target: { kind: 'working-tree' }, config: config(), provider });
      assert.ok(server.messageRequests.length >= 1);
      for (const req of server.messageRequests) assert.ok(!req.body.includes('AKIAIOSFODNN7EXAMPLE'), 'secret never sent');
      assert.ok(r.warnings.some((w) => /redacted/.test(w)));
      assert.ok(r.stats.costUsd !== undefined && r.stats.costUsd > 0);
      assert.ok(
        r.findings.some((f) => f.origin === 'rule' && f.rule === 'hardcoded-secret'),
        'the rule still reports it',
      );
    } finally {
      await server.stop();
      repo.remove();
    }
  });
});
