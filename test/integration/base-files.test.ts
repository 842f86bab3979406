import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ReviewSession } from '../../src/app/session.js';
import { checkoutRoot, filesAtCommit } from '../../src/core/git/repo.js';
import { TempRepo } from '../helpers/git.js';

describe("a base commit's own files, read in one git process", () => {
  it('gives each file as committed, null for a missing path, a folder or an unknown commit, from any folder; null when git cannot answer', async () => {
    const repo = new TempRepo();
    repo.write('.pullmint.json', '{"contextLines": 5}\n');
    repo.write('conf/ünï.json', 'é€𝄞\n'.repeat(20_000));
    repo.write('conf/empty.txt', '');
    const base = repo.commit('base');
    repo.write('.pullmint.json', '{"contextLines": 9}\n');
    repo.commit('later');
    mkdirSync(join(repo.dir, 'sub', 'deeper'), { recursive: true });

    const paths = ['.pullmint.json', 'missing.json', 'conf/ünï.json', 'conf', 'conf/empty.txt'];
    for (const dir of [repo.dir, join(repo.dir, 'sub', 'deeper')]) {
      const texts = await filesAtCommit(dir, base, paths);
      assert.deepEqual(texts, ['{"contextLines": 5}\n', null, 'é€𝄞\n'.repeat(20_000), null, ''], dir);
    }
    assert.deepEqual(
      await filesAtCommit(repo.dir, 'f'.repeat(40), paths),
      paths.map(() => null),
    );
    // git could not answer at all: the caller asks the slow way, which says why.
    assert.equal(await filesAtCommit(join(repo.dir, '..'), base, ['.pullmint.json']), null, 'outside the repository');
    assert.equal(await filesAtCommit(join(repo.dir, 'no-such-folder'), base, ['.pullmint.json']), null, 'a missing folder');
    assert.equal(await filesAtCommit(join(repo.dir, '.pullmint.json'), base, ['.pullmint.json']), null, 'a file, not a folder');
    assert.equal(checkoutRoot(join(repo.dir, 'sub', 'deeper')), repo.dir);
  });

  it("a session for two full SHAs takes the base's settings, not the change's, from a subfolder", async () => {
    const repo = new TempRepo();
    repo.write('.pullmint.json', '{"ignore": ["src/**"]}\n');
    repo.write('src/a.ts', 'export const a = 1;\n');
    const base = repo.commit('base');
    repo.write('.pullmint.json', '{"ignore": []}\n');
    repo.write('src/a.ts', 'export const a = 2;\n');
    const head = repo.commit('change');
    mkdirSync(join(repo.dir, 'sub'));
    const session = await ReviewSession.open({
      repoDir: join(repo.dir, 'sub'),
      env: { HOME: repo.dir, XDG_CONFIG_HOME: join(repo.dir, '.cfg'), XDG_CACHE_HOME: join(repo.dir, '.cache') },
      secrets: { get: async () => undefined },
      target: { kind: 'range', range: `${base}..${head}` },
    });
    assert.equal(session.root, repo.dir);
    const review = await session.review({
      target: { kind: 'range', range: `${base}..${head}` },
      rulesOnly: { kind: 'other', message: 'rules only', fix: '' },
    });
    assert.deepEqual(
      review.coverage.skippedFiles.map((f) => [f.file, f.reason]),
      [['src/a.ts', 'ignored by configuration']],
      "the base's ignore list",
    );
    assert.ok(
      review.findings.some((f) => f.file === '.pullmint.json'),
      'the change to the settings is itself a finding',
    );
  });
});
