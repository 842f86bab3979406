/** GitLab remotes (nested groups included), which remotes are GitLab, and the API that serves them. */

import type { RemoteRepo } from '../types.js';

/** Where the GitLab instance is, from settings and GitLab CI's own variables. */
export interface GitLabLocation {
  /** `pullmint.gitlab.url` / GITLAB_URL: the instance's web URL, e.g. https://gitlab.example.com. */
  url?: string;
  /** GitLab CI's CI_SERVER_URL. */
  ciServerUrl?: string;
  /** GitLab CI's CI_API_V4_URL: the API itself, used as it is. */
  ciApiUrl?: string;
}

const hostOf = (url: string | undefined): string | undefined => {
  if (!url) return undefined;
  try {
    return new URL(url).hostname.toLowerCase() || undefined;
  } catch {
    return undefined;
  }
};

/** The path an instance lives under (https://example.com/gitlab → `gitlab`), without slashes. */
const prefixOf = (url: string | undefined): string => {
  if (!url) return '';
  try {
    return new URL(url).pathname.replace(/^\/+|\/+$/g, '');
  } catch {
    return '';
  }
};

/** The host names that are GitLab: gitlab.com and the configured instance. */
export function gitlabHosts(loc: GitLabLocation): string[] {
  return ['gitlab.com', hostOf(loc.url), hostOf(loc.ciServerUrl)].filter((h): h is string => Boolean(h));
}

/**
 * A remote on a GitLab host as `namespace/project`: https://host[/prefix]/group/sub/project(.git),
 * git@host:group/sub/project(.git), ssh://git@host[:port]/group/project. `owner` holds the whole
 * namespace (`group/sub`), since GitLab nests groups. Null for a remote that is not GitLab.
 */
export function parseGitLabRemote(url: string, loc: GitLabLocation = {}): RemoteRepo | null {
  const u = url.trim();
  let host: string;
  let path: string;
  const scp = /^(?:[^@\s/]+@)?([^:/\s]{2,}):(?!\/)(.+)$/.exec(u);
  if (scp && !u.includes('://')) {
    host = scp[1].toLowerCase();
    path = scp[2];
  } else {
    const m = /^(?:https?|ssh|git|git\+ssh):\/\/(?:[^@/\s]+@)?([^:/\s]+)(?::\d+)?\/(.+)$/i.exec(u);
    if (!m) return null;
    host = m[1].toLowerCase();
    path = m[2];
  }
  if (!gitlabHosts(loc).includes(host)) return null;
  path = path.replace(/\.git\/?$/, '').replace(/\/+$/, '');
  // An instance under a path serves its HTTP remotes under it too.
  for (const prefix of [prefixOf(loc.url), prefixOf(loc.ciServerUrl)]) {
    if (prefix && path.startsWith(`${prefix}/`) && hostOf(loc.url ?? loc.ciServerUrl) === host) path = path.slice(prefix.length + 1);
  }
  const parts = path.split('/').filter(Boolean);
  if (parts.length < 2) return null;
  return { host, owner: parts.slice(0, -1).join('/'), repo: parts[parts.length - 1] };
}

/** `namespace/project`, as GitLab's API takes it URL-encoded in place of a project id. */
export function projectPath(r: RemoteRepo): string {
  return `${r.owner}/${r.repo}`;
}

/**
 * The REST API base: CI_API_V4_URL when set; else `<instance URL>/api/v4` for the configured
 * instance; else `https://<host>/api/v4`.
 */
export function gitlabApiUrl(host: string, loc: GitLabLocation = {}): string {
  if (loc.ciApiUrl) return loc.ciApiUrl.replace(/\/+$/, '');
  for (const url of [loc.url, loc.ciServerUrl]) {
    if (url && hostOf(url) === host) return `${url.replace(/\/+$/, '')}/api/v4`;
  }
  return `https://${host}/api/v4`;
}

/** The web URL of a project on its instance, for links in notes. */
export function projectWebUrl(r: RemoteRepo, loc: GitLabLocation = {}): string {
  for (const url of [loc.url, loc.ciServerUrl]) {
    if (url && hostOf(url) === r.host) return `${url.replace(/\/+$/, '')}/${projectPath(r)}`;
  }
  return `https://${r.host}/${projectPath(r)}`;
}

/** The web URL of a file at a commit and line. */
export function gitlabBlobUrl(projectUrl: string, sha: string, file: string, line: number): string {
  const path = file.split('/').map(encodeURIComponent).join('/');
  return `${projectUrl}/-/blob/${sha}/${path}#L${line}`;
}
