import { estimateTokens } from '../pack/tokens.js';
import type { ChunkSegment } from '../pack/chunker.js';
import { detectIacKind, linesText, IAC_KINDS, IAC_LABELS, type IacKind } from './detect.js';

/** What a careful reviewer of each kind of infrastructure file looks for, beyond what the built-in rules catch. */
const FOCUS: Record<IacKind, string> = {
  terraform:
    'resources that would be destroyed or replaced (a changed name, engine, AZ, key or other force-new argument on a stateful resource), removed lifecycle guards (prevent_destroy, deletion_protection, final snapshots), network exposure (0.0.0.0/0, public IPs, public buckets), IAM wildcards, encryption or logging turned off, secrets in variables or providers, unpinned provider and module versions',
  cloudformation:
    'logical ID or replacement-triggering property changes on stateful resources (data loss), DeletionPolicy/UpdateReplacePolicy removed, public access and open security groups, IAM wildcards, encryption turned off, secrets in parameters defaults or environment variables instead of dynamic references',
  cdk: 'construct ID changes that replace stateful resources, RemovalPolicy.DESTROY or autoDeleteObjects on data, grants wider than needed (grant*, "*" actions), public network exposure, encryption turned off, feature flags in cdk.json that change synthesized resources',
  kubernetes:
    'privileged or root containers, hostPath/hostNetwork/hostPID, missing resource limits and probes, images without a pinned tag or digest, secrets in plain env values, RBAC wildcards, Services or Ingresses that expose internal workloads',
  dockerfile:
    'base images not pinned to a version or digest, running as root, secrets in ARG/ENV or copied into layers, curl | sh installs without checksums, ADD from URLs, missing cleanup that bloats or leaks into layers',
  'github-actions':
    'pull_request_target or workflow_run jobs that run code from the pull request, permissions wider than needed, third-party actions not pinned to a commit SHA, untrusted ${{ github.event.* }} values interpolated into run: scripts (script injection), secrets exposed to forks or printed',
  'gitlab-ci':
    'jobs that expose protected variables to merge requests from forks, unpinned images, secrets echoed or written to artifacts, missing rules/only restrictions on deploy jobs, curl | sh installs',
};

function paragraph(kinds: IacKind[]): string {
  if (kinds.length === 0) return '';
  const lines = kinds.map((k) => `- ${IAC_LABELS[k]}: ${FOCUS[k]}.`);
  return [
    'Some files in this change are infrastructure as code. Review them as infrastructure: an outage, data loss or exposure caused here reaches production directly. Look especially for:',
    ...lines,
  ].join('\n');
}

/** IaC-specific review instructions for these kinds, in IAC_KINDS order; '' for none. */
export function iacInstructions(kinds: Iterable<IacKind>): string {
  const set = new Set(kinds);
  return paragraph(IAC_KINDS.filter((k) => set.has(k)));
}

/** The IaC kind of a file of a chunk; by default known from its path and the lines the chunk shows. */
export type IacKindOf = (segment: Pick<ChunkSegment, 'file' | 'lines'>) => IacKind | null;

const fromChunkLines: IacKindOf = (seg) => detectIacKind(seg.file, linesText(seg.lines));

/** The IaC kinds among a chunk's files. */
export function chunkIacKinds(segments: readonly Pick<ChunkSegment, 'file' | 'lines'>[], kindOf: IacKindOf = fromChunkLines): IacKind[] {
  const kinds = new Set<IacKind>();
  for (const seg of segments) {
    const kind = kindOf(seg);
    if (kind) kinds.add(kind);
  }
  return IAC_KINDS.filter((k) => kinds.has(k));
}

/**
 * Estimated tokens the IaC instructions add to this chunk's prompt (0 for a chunk without IaC
 * files): the model phase re-packs a chunk whose data and instructions together would not fit.
 */
export function iacInstructionTokens(
  chunk: { segments: readonly Pick<ChunkSegment, 'file' | 'lines'>[] },
  kindOf: IacKindOf = fromChunkLines,
): number {
  const text = iacInstructions(chunkIacKinds(chunk.segments, kindOf));
  return text ? estimateTokens(text) + 2 : 0;
}
