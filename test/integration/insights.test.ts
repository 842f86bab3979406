import assert from 'node:assert/strict';
import { cliEnv, deadPort, ensureBuilt, runCli } from '../helpers/cli.js';
import { TempRepo } from '../helpers/git.js';
import type { Insights } from '../../src/core/insights.js';

describe('insights: what became of past findings, from local history', function () {
  this.timeout(60_000);
  before(() => ensureBuilt());

  it('counts one finding fixed, one dismissed and one left open, by rule and severity', async () => {
    const repo = new TempRepo();
    repo.write('README.md', '# app\n').commit('base');
    const env = cliEnv({ OLLAMA_HOST: `http://127.0.0.1:${await deadPort()}` });
    repo.write('src/a.js', 'exports.a = 1;\nexports.key = "AKIAIOSFODNN7EXAMPLE";\n');
    repo.write('src/b.js', 'exports.b = 1;\ndebugger;\n');
    repo.write('test/c.test.js', "it.only('runs alone', () => {});\n");
    const first = JSON.parse((await runCli(['review', '--format', 'json'], { cwd: repo.dir, env })).stdout) as {
      findings: { id: string; file: string }[];
    };
    assert.deepEqual(first.findings.map((f) => f.file).sort(), ['src/a.js', 'src/b.js', 'test/c.test.js']);
    const none = await runCli(['insights'], { cwd: repo.dir, env });
    assert.match(none.stdout, /3 finding\(s\) across 1 review/);

    repo.write('src/a.js', 'exports.a = 1;\n');
    const b = first.findings.find((f) => f.file === 'src/b.js')!;
    assert.equal((await runCli(['dismiss', b.id, '--reason', 'local debugging only'], { cwd: repo.dir, env })).code, 0);
    await runCli(['review', '--format', 'json'], { cwd: repo.dir, env });

    const r = await runCli(['insights', '--json'], { cwd: repo.dir, env });
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as Insights;
    assert.equal(out.reviews, 2);
    assert.deepEqual(out.totals, { total: 3, fixed: 1, dismissed: 1, open: 1 });
    assert.deepEqual(out.byRule['hardcoded-secret'], { total: 1, fixed: 1, dismissed: 0, open: 0 });
    assert.deepEqual(out.byRule['debugger-statement'], { total: 1, fixed: 0, dismissed: 1, open: 0 });
    assert.deepEqual(out.byRule['exclusive-test'], { total: 1, fixed: 0, dismissed: 0, open: 1 });
    assert.equal(out.bySeverity.critical.fixed, 1);
    assert.equal(out.byModel.rules.total, 3);

    const text = await runCli(['insights'], { cwd: repo.dir, env });
    assert.match(text.stdout, /^hardcoded-secret\s+1\s+1\s+0\s+0\s+100% \(100% fixed\)$/m);
    assert.match(text.stdout, /^exclusive-test\s+1\s+0\s+0\s+1\s+0% \(0% fixed\)$/m);
    repo.remove();
  });

  it('a later review from another base (the next commit alone) does not count a finding as fixed', async () => {
    const repo = new TempRepo();
    repo.write('README.md', '# app\n').commit('base');
    const env = cliEnv({ OLLAMA_HOST: `http://127.0.0.1:${await deadPort()}` });
    repo.write('src/a.js', 'exports.key = "AKIAIOSFODNN7EXAMPLE";\n').commit('add a key');
    await runCli(['review', '--range', 'HEAD~1..HEAD'], { cwd: repo.dir, env });
    repo.write('src/a.js', 'exports.key = "AKIAIOSFODNN7EXAMPLE";\nexports.more = 1;\n').commit('touch the file');
    await runCli(['review', '--range', 'HEAD~1..HEAD'], { cwd: repo.dir, env });
    const out = JSON.parse((await runCli(['insights', '--json'], { cwd: repo.dir, env })).stdout) as Insights;
    assert.deepEqual(out.totals, { total: 1, fixed: 0, dismissed: 0, open: 1 }, 'the key is still there');
    repo.remove();
  });
});
