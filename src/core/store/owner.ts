import { hostname } from 'node:os';

export interface Owner {
  pid: number;
  host: string;
}

/**
 * A running record not touched for this long is taken as abandoned even when its owner cannot be
 * checked (another host, a reused pid). Owners refresh their records much more often than this.
 */
export const STALE_AFTER_MS = 10 * 60 * 1000;
export const HEARTBEAT_MS = 60 * 1000;

export function currentOwner(): Owner {
  return { pid: process.pid, host: hostname() };
}

export function isMine(owner: Owner | undefined): boolean {
  return !!owner && owner.pid === process.pid && owner.host === hostname();
}

/** Only ESRCH proves the process is gone; EPERM means it exists under another user. */
function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

/** Whether a process recorded as `pid` on `host` is known to be gone (false when it cannot be told). */
export function ownerGone(owner: { pid?: number; host?: string }): boolean {
  return owner.pid !== undefined && owner.host === hostname() && owner.pid !== process.pid && !pidAlive(owner.pid);
}

/** Whether a record still marked running was left so by a process that is gone or silent. */
export function isAbandoned(owner: Owner | undefined, touchedAt: string | undefined, now: number): boolean {
  if (owner && ownerGone(owner)) return true;
  const at = touchedAt ? Date.parse(touchedAt) : NaN;
  return Number.isNaN(at) || now - at > STALE_AFTER_MS;
}
