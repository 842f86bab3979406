import assert from 'node:assert/strict';
import { DEFAULT_CONFIG } from '../../src/core/config/schema.js';
import { runReview } from '../../src/core/engine.js';
import type { FileDiff } from '../../src/core/diff/model.js';
import { iacInstructionTokens } from '../../src/core/iac/instructions.js';
import { chunkBudget } from '../../src/core/model-phase.js';
import { packFile } from '../../src/core/pack/chunker.js';
import { FakeOllama } from '../fakes/ollama.js';
import { localModel } from '../helpers/model.js';
import { TempRepo } from '../helpers/git.js';
import { addedFile } from '../helpers/diff.js';

/**
 * IaC files carry review instructions of their own. A Terraform file packed to the full data budget
 * would not fit the window with them: the model phase re-packs it, so the model reads all of it.
 */
describe('IaC review instructions in the prompt (real git, loopback Ollama)', () => {
  let server: FakeOllama;
  let repo: TempRepo;
  afterEach(async () => {
    await server.stop();
    repo.remove();
  });

  it('sends Terraform with its instructions, re-packed to fit the window, and leaves no line unread', async () => {
    server = new FakeOllama({ contextLength: 4096 });
    await server.start();
    const provider = localModel(server.url);
    // The longest Terraform file whose data alone fills one chunk: with its instructions it does not fit.
    const budget = chunkBudget((await provider.prepare()).contextTokens, DEFAULT_CONFIG.instructions);
    const asDiff = (lines: string[]): FileDiff => addedFile('infra/main.tf', lines);
    const lines: string[] = [];
    for (let i = 0; ; i++) {
      const next = [...lines, `resource "aws_s3_bucket" "b${i}" { bucket = "example-bucket-number-${i}" }`];
      if (packFile(asDiff(next), { budgetTokens: budget, overlapLines: 3 }).length > 1) break;
      lines.push(next[next.length - 1]);
    }
    const [whole] = packFile(asDiff(lines), { budgetTokens: budget, overlapLines: 3 });
    assert.ok(whole.tokens > budget - iacInstructionTokens(whole), 'the file fills the data budget');
    repo = new TempRepo();
    repo.write('README.md', 'base\n').commit('base');
    repo.write('infra/main.tf', lines.join('\n') + '\n').write('src/app.ts', 'export const app = 1;\n');
    const r = await runReview({ repoDir: repo.dir, target: { kind: 'working-tree' }, config: structuredClone(DEFAULT_CONFIG), provider });
    const users = server.chatRequests.map(
      (q) => (q.json as { messages: { role: string; content: string }[] }).messages.find((m) => m.role === 'user')!.content,
    );
    const tfPrompts = users.filter((u) => u.includes('### "infra/main.tf"'));
    assert.ok(tfPrompts.length >= 2, `${tfPrompts.length} prompt(s) for the Terraform file`);
    for (const u of tfPrompts) assert.match(u, /infrastructure as code[\s\S]*- Terraform: [\s\S]*BEGIN-DIFF/);
    for (const u of users.filter((x) => !x.includes('### "infra/'))) assert.doesNotMatch(u, /infrastructure as code/);
    assert.deepEqual(r.coverage.unreviewed, [], r.warnings.join('\n'));
    assert.equal(r.coverage.complete, true);
    assert.deepEqual(r.iac?.files, [{ file: 'infra/main.tf', kind: 'terraform' }]);
  });
});
