/** GitHub remotes in every form git accepts, and the API that serves them. */

import type { RemoteRepo } from '../types.js';

export type { RemoteRepo };

/**
 * https://host/owner/repo(.git), git@host:owner/repo(.git), ssh://git@host[:port]/owner/repo,
 * git://host/owner/repo. Enterprise hosts are accepted as they are; the API URL comes separately.
 */
export function parseRemoteUrl(url: string): RemoteRepo | null {
  const u = url.trim();
  // scp-like: [user@]host:owner/repo — a one-letter "host" would be a Windows drive, not a remote.
  let m = /^(?:[^@\s/]+@)?([^:/\s]{2,}):(?!\/)([^/\s]+)\/([^/\s]+?)(?:\.git)?\/?$/i.exec(u);
  if (m && !u.includes('://')) return { host: m[1].toLowerCase(), owner: m[2], repo: m[3] };
  m = /^(?:https?|ssh|git|git\+ssh):\/\/(?:[^@/\s]+@)?([^:/\s]+)(?::\d+)?\/(?:.*\/)?([^/\s]+)\/([^/\s]+?)(?:\.git)?\/?$/i.exec(u);
  if (m) return { host: m[1].toLowerCase(), owner: m[2], repo: m[3] };
  return null;
}

/**
 * The REST API base for a host: api.github.com for github.com; the configured Enterprise URL (or
 * GITHUB_API_URL) when set; else the Enterprise convention https://HOST/api/v3.
 */
export function apiBaseUrl(host: string, configured?: string): string {
  if (configured) return configured.replace(/\/+$/, '');
  if (host === 'github.com' || host === 'www.github.com' || host === 'ssh.github.com') return 'https://api.github.com';
  return `https://${host}/api/v3`;
}

/** The web URL of a file at a commit and line, for links in comments. */
export function blobUrl(r: RemoteRepo, sha: string, file: string, line: number): string {
  const path = file.split('/').map(encodeURIComponent).join('/');
  return `https://${r.host}/${r.owner}/${r.repo}/blob/${sha}/${path}#L${line}`;
}
