import assert from 'node:assert/strict';
import { gitlabApiUrl, gitlabBlobUrl, parseGitLabRemote, projectWebUrl } from '../../src/core/hosts/gitlab/remote.js';
import { explainGitLabError, GitLabResponseError } from '../../src/core/hosts/gitlab/client.js';

describe('GitLab remotes and API URLs', () => {
  it('reads gitlab.com remotes in every form, nested groups included', () => {
    const want = { host: 'gitlab.com', owner: 'acme/platform', repo: 'widgets' };
    for (const url of [
      'https://gitlab.com/acme/platform/widgets.git',
      'https://oauth2:tok@gitlab.com/acme/platform/widgets',
      'git@gitlab.com:acme/platform/widgets.git',
      'ssh://git@gitlab.com:2222/acme/platform/widgets.git',
      'https://gitlab.com/acme/platform/widgets/',
    ])
      assert.deepEqual(parseGitLabRemote(url), want, url);
  });

  it('a self-managed host is GitLab only when configured (setting, GITLAB_URL or CI_SERVER_URL)', () => {
    const url = 'git@git.corp.example:team/app.git';
    assert.equal(parseGitLabRemote(url), null);
    assert.equal(parseGitLabRemote('https://github.com/acme/widgets.git'), null);
    assert.deepEqual(parseGitLabRemote(url, { url: 'https://git.corp.example' }), { host: 'git.corp.example', owner: 'team', repo: 'app' });
    assert.deepEqual(parseGitLabRemote(url, { ciServerUrl: 'https://git.corp.example' })?.repo, 'app');
  });

  it('an instance under a path: its HTTP remotes drop the path, its API and links keep it', () => {
    const loc = { url: 'https://corp.example/gitlab' };
    const r = parseGitLabRemote('https://corp.example/gitlab/team/app.git', loc)!;
    assert.deepEqual(r, { host: 'corp.example', owner: 'team', repo: 'app' });
    assert.equal(gitlabApiUrl(r.host, loc), 'https://corp.example/gitlab/api/v4');
    assert.equal(projectWebUrl(r, loc), 'https://corp.example/gitlab/team/app');
    assert.equal(
      gitlabBlobUrl(projectWebUrl(r, loc), 'abc', 'src/a b.ts', 4),
      'https://corp.example/gitlab/team/app/-/blob/abc/src/a%20b.ts#L4',
    );
  });

  it('the API is CI_API_V4_URL when set, else <instance>/api/v4', () => {
    assert.equal(gitlabApiUrl('gitlab.com'), 'https://gitlab.com/api/v4');
    assert.equal(gitlabApiUrl('gitlab.com', { ciApiUrl: 'http://127.0.0.1:1/api/v4/' }), 'http://127.0.0.1:1/api/v4');
    assert.equal(gitlabApiUrl('git.corp.example', { url: 'https://git.corp.example/' }), 'https://git.corp.example/api/v4');
  });

  it('explains 401, 403, 404, 409, 422 and an unreachable server with their fix', () => {
    const say = (status: number | undefined) =>
      explainGitLabError(new GitLabResponseError(status, 'detail'), 'post the summary note').message;
    assert.match(say(401), /token.*GITLAB_TOKEN.*Set GitLab Token/);
    assert.match(say(403), /api scope.*Developer/);
    assert.match(say(404), /does not exist.*token cannot see the project/);
    assert.match(say(409), /conflict.*again/);
    assert.match(say(422), /could not process.*detail/);
    assert.match(say(undefined), /Could not reach GitLab.*GITLAB_URL/);
  });
});
