import { collectDiff } from '../../src/core/git/diff.js';
import { commentableLines, commentableOldLines } from '../../src/core/hosts/github/post.js';
import type { FakeGitHub } from '../fakes/github.js';
import { TempRepo } from './git.js';

/** main + a feature branch with three findings inside the diff, remote origin on "github.com/acme/widgets". */
export function featureRepo(origin = 'https://github.com/acme/widgets.git'): { repo: TempRepo; baseSha: string; headSha: string } {
  const repo = new TempRepo();
  repo.write('src/app.js', Array.from({ length: 30 }, (_, i) => `exports.v${i} = ${i};`).join('\n') + '\n');
  const baseSha = repo.commit('base');
  repo.git('remote', 'add', 'origin', origin);
  repo.git('checkout', '-q', '-b', 'feature/login');
  repo.write(
    'src/app.js',
    Array.from({ length: 30 }, (_, i) => (i === 10 ? 'exports.run = (s) => eval(s);' : `exports.v${i} = ${i};`)).join('\n') +
      '\n// TODO tidy\n',
  );
  repo.write('src/keys.js', 'exports.key = "AKIAIOSFODNN7EXAMPLE";\n');
  const headSha = repo.commit('feature');
  return { repo, baseSha, headSha };
}

/** Opens PR #5 on the fake for base..head of `repo`, with the lines GitHub would accept comments on. */
export async function openPullRequest(
  gh: FakeGitHub,
  repo: TempRepo,
  pr: { baseSha: string; headSha: string; title?: string; ref?: string },
): Promise<void> {
  const diff = await collectDiff(repo.dir, { kind: 'range', range: `${pr.baseSha}..${pr.headSha}` }, { contextLines: 3 });
  gh.pulls.push({
    number: 5,
    title: pr.title ?? 'Login',
    state: 'open',
    author: 'someone',
    head: { ref: pr.ref ?? 'feature/login', sha: pr.headSha, owner: 'acme' },
    base: { ref: 'main', sha: pr.baseSha },
    commentable: commentableLines(diff.files),
    commentableLeft: commentableOldLines(diff.files),
  });
}
