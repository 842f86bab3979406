import { collectDiff } from '../../src/core/git/diff.js';
import type { FakeDiffLine, FakeGitLab } from '../fakes/gitlab.js';
import type { TempRepo } from './git.js';
import { featureRepo } from './pullRequest.js';

export const GITLAB_URL = 'https://gitlab.example.com';

/**
 * main + a feature branch with three findings inside the diff (an eval on a changed line, a TODO, a
 * key in a new file), remote origin on gitlab.example.com/acme/platform/widgets (a nested group).
 */
export function gitlabRepo(): { repo: TempRepo; baseSha: string; headSha: string } {
  return featureRepo('git@gitlab.example.com:acme/platform/widgets.git');
}

/**
 * The lines of base..head GitLab accepts a diff note on, from git's own diff with GitLab's three
 * lines of context: added lines by their new number, removed ones by their old, context by both.
 */
export async function mergeRequestDiff(repo: TempRepo, baseSha: string, headSha: string) {
  const diff = await collectDiff(repo.dir, { kind: 'range', range: `${baseSha}..${headSha}` }, { contextLines: 3 });
  const out = new Map<string, { oldPath: string; lines: FakeDiffLine[] }>();
  for (const f of diff.files) {
    const lines: FakeDiffLine[] = [];
    for (const h of f.hunks)
      for (const l of h.lines) {
        if (l.kind === 'add') lines.push({ new: l.newLine });
        else if (l.kind === 'del') lines.push({ old: l.oldLine });
        else lines.push({ old: l.oldLine, new: l.newLine });
      }
    out.set(f.newPath ?? f.path, { oldPath: f.oldPath ?? f.path, lines });
  }
  return out;
}

/** Opens MR !7 on the fake for base..head of `repo`, with GitLab's diff_refs and diff. */
export async function openMergeRequest(
  gl: FakeGitLab,
  repo: TempRepo,
  mr: { baseSha: string; headSha: string; startSha?: string },
): Promise<void> {
  gl.mergeRequests.push({
    iid: 7,
    title: 'Login',
    state: 'opened',
    author: 'someone',
    sourceBranch: 'feature/login',
    targetBranch: 'main',
    diffRefs: { base_sha: mr.baseSha, start_sha: mr.startSha ?? mr.baseSha, head_sha: mr.headSha },
    diff: await mergeRequestDiff(repo, mr.baseSha, mr.headSha),
  });
}
