/** Which kind of infrastructure-as-code a file is, from its path and, for YAML and JSON, its text. */

export const IAC_KINDS = ['terraform', 'cloudformation', 'cdk', 'kubernetes', 'dockerfile', 'github-actions', 'gitlab-ci'] as const;
export type IacKind = (typeof IAC_KINDS)[number];

export const IAC_LABELS: Record<IacKind, string> = {
  terraform: 'Terraform',
  cloudformation: 'CloudFormation / SAM',
  cdk: 'AWS CDK',
  kubernetes: 'Kubernetes',
  dockerfile: 'Dockerfile',
  'github-actions': 'GitHub Actions workflow',
  'gitlab-ci': 'GitLab CI',
};

const TERRAFORM = /\.(?:tf|tfvars)(?:\.json)?$/i;
const DOCKERFILE = /^(?:dockerfile|containerfile)(?:\..+)?$|\.dockerfile$/i;
const WORKFLOW = /(?:^|\/)\.github\/workflows\/[^/]+\.ya?ml$/i;
const GITLAB_CI = /(?:^|\/)(?:[^/]*\.)?gitlab-ci\.ya?ml$/i;
const CFN_NAME = /^(?:cloudformation|template)\.(?:ya?ml|json)$|\.(?:cfn|cloudformation)\.(?:ya?ml|json)$/i;
const YAML_OR_JSON = /\.(?:ya?ml|json)$/i;
const CDK_SOURCE = /\.(?:[cm]?[jt]s|py|java|cs|go)$/i;

const CFN_TEXT =
  /\bAWSTemplateFormatVersion\b|Transform["']?\s*:\s*["']?AWS::Serverless-2016-10-31|\bType["']?\s*:\s*["']?AWS::[A-Za-z0-9]+::/;
const K8S_API = /^\s{0,4}["']?apiVersion["']?\s*:\s*["']?[\w./-]+/m;
const K8S_KIND = /^\s{0,4}["']?kind["']?\s*:\s*["']?[A-Z][A-Za-z]+/m;
const CDK_IMPORT =
  /\bfrom\s+["']aws-cdk-lib(?:\/[\w-]+)?["']|require\(\s*["']aws-cdk-lib|\bfrom\s+aws_cdk\b|\bimport\s+aws_cdk\b|software\.amazon\.awscdk|github\.com\/aws\/aws-cdk-go/;

function basename(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? path : path.slice(i + 1);
}

/**
 * Whatever of a file is at hand: its text, or its lines seen through `some` and `join`, so that a
 * caller can offer a diff's lines without copying them; they are joined only when a kind needs them.
 */
export type IacText = string | { some(test: (line: string) => boolean): boolean; join(): string };

/** A list of lines as IacText. */
export function linesText(lines: readonly { readonly text: string }[]): IacText {
  return { some: (test) => lines.some((l) => test(l.text)), join: () => lines.map((l) => l.text).join('\n') };
}

/** Every CDK import names "cdk": source files (most of a diff) are ruled out line by line, without joining them. */
const CDK_MARK = 'cdk';

/**
 * The IaC kind of `path`, or null. CloudFormation, Kubernetes and CDK code are known by what they
 * say, not only by their names.
 */
export function detectIacKind(path: string, text: IacText = ''): IacKind | null {
  const p = path.replace(/\\/g, '/');
  const name = basename(p);
  if (TERRAFORM.test(name)) return 'terraform';
  if (DOCKERFILE.test(name)) return 'dockerfile';
  if (WORKFLOW.test(p)) return 'github-actions';
  if (GITLAB_CI.test(p)) return 'gitlab-ci';
  if (name === 'cdk.json') return 'cdk';
  if (CFN_NAME.test(name)) return 'cloudformation';
  const body = (): string => (typeof text === 'string' ? text : text.join());
  if (YAML_OR_JSON.test(name)) {
    const t = body();
    if (CFN_TEXT.test(t)) return 'cloudformation';
    if (K8S_API.test(t) && K8S_KIND.test(t)) return 'kubernetes';
    return null;
  }
  if (!CDK_SOURCE.test(name)) return null;
  const mentionsCdk = typeof text === 'string' ? text.includes(CDK_MARK) : text.some((line) => line.includes(CDK_MARK));
  if (mentionsCdk && CDK_IMPORT.test(body())) return 'cdk';
  return null;
}
