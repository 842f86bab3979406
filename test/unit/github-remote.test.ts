import assert from 'node:assert/strict';
import { anchorable, commentableLines, commentableOldLines, commentPosition } from '../../src/core/hosts/github/post.js';
import { apiBaseUrl, blobUrl, parseRemoteUrl } from '../../src/core/hosts/github/remote.js';
import type { FileDiff } from '../../src/core/diff/model.js';

describe('GitHub remotes', () => {
  it('parses https, scp-like ssh, ssh:// with a port, git:// and Enterprise hosts', () => {
    const cases: [string, string, string, string][] = [
      ['https://github.com/acme/widgets.git', 'github.com', 'acme', 'widgets'],
      ['https://github.com/acme/widgets', 'github.com', 'acme', 'widgets'],
      ['https://user:tok@github.com/acme/widgets.git/', 'github.com', 'acme', 'widgets'],
      ['git@github.com:acme/widgets.git', 'github.com', 'acme', 'widgets'],
      ['github.com:acme/widgets', 'github.com', 'acme', 'widgets'],
      ['ssh://git@github.com:22/acme/widgets.git', 'github.com', 'acme', 'widgets'],
      ['ssh://git@ghe.example.com:7999/platform/api', 'ghe.example.com', 'platform', 'api'],
      ['git://github.com/acme/widgets.git', 'github.com', 'acme', 'widgets'],
      ['https://ghe.example.com/platform/api.git', 'ghe.example.com', 'platform', 'api'],
    ];
    for (const [url, host, owner, repo] of cases) assert.deepEqual(parseRemoteUrl(url), { host, owner, repo }, url);
    assert.equal(parseRemoteUrl('/srv/git/repo.git'), null);
    assert.equal(parseRemoteUrl('C:\\repos\\x'), null);
  });

  it('picks the API base: api.github.com, the configured URL, or https://HOST/api/v3', () => {
    assert.equal(apiBaseUrl('github.com'), 'https://api.github.com');
    assert.equal(apiBaseUrl('ghe.example.com'), 'https://ghe.example.com/api/v3');
    assert.equal(apiBaseUrl('github.com', 'http://127.0.0.1:9/'), 'http://127.0.0.1:9');
    assert.equal(
      blobUrl({ host: 'github.com', owner: 'a', repo: 'b' }, 'abc', 'dir with space/x.ts', 7),
      'https://github.com/a/b/blob/abc/dir%20with%20space/x.ts#L7',
    );
  });

  it('anchors inline comments only inside one hunk of the PR diff', () => {
    const file: FileDiff = {
      oldPath: 'a.ts',
      newPath: 'a.ts',
      path: 'a.ts',
      status: 'modified',
      binary: false,
      submodule: false,
      modeOnly: false,
      crlf: false,
      hunks: [
        { oldStart: 1, oldLines: 3, newStart: 1, newLines: 4, section: '', lines: [] },
        { oldStart: 20, oldLines: 3, newStart: 21, newLines: 3, section: '', lines: [] },
      ],
    };
    const lines = commentableLines([file]);
    const f = (line: number, endLine?: number) => ({
      id: 'x',
      file: 'a.ts',
      line,
      endLine,
      severity: 'low' as const,
      category: 'bug' as const,
      title: 't',
      message: 'm',
      origin: 'llm' as const,
    });
    assert.equal(anchorable(f(4), lines), true);
    assert.equal(anchorable(f(5), lines), false);
    assert.equal(anchorable(f(21, 23), lines), true);
    assert.equal(anchorable(f(3, 22), lines), false, 'a range across two hunks');
    assert.equal(anchorable({ ...f(1), file: 'b.ts' }, lines), false);
    // A removed line goes to the LEFT side, where its old line number must lie in a hunk.
    const old = commentableOldLines([file]);
    assert.equal(anchorable({ ...f(4), oldLine: 21 }, lines, old), true);
    assert.equal(anchorable({ ...f(4), oldLine: 5 }, lines, old), false, 'old line 5 is outside both hunks');
    assert.deepEqual(commentPosition({ ...f(4), oldLine: 21 }), { line: 21, side: 'LEFT' });
    assert.deepEqual(commentPosition(f(21, 23)), { line: 23, side: 'RIGHT', start_line: 21, start_side: 'RIGHT' });
  });
});
