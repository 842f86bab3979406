import picomatch from 'picomatch';

/** Files where a mistake costs most; they are reviewed first when a limit cuts the review short. */
const HIGH_RISK = picomatch(
  [
    '**/*auth*/**',
    '**/*auth*',
    '**/*login*',
    '**/*session*',
    '**/*password*',
    '**/*permission*',
    '**/*acl*',
    '**/*crypt*',
    '**/*cipher*',
    '**/*token*',
    '**/*secret*',
    '**/*oauth*',
    '**/*jwt*',
    '**/*.sql',
    '**/*sql*',
    '**/*migration*/**',
    '**/*migrat*',
    '**/*query*',
    '**/*repository*',
    '**/*db*',
    '**/*db*/**',
    '**/*database*',
    '**/*database*/**',
    '**/security/**',
    '**/*crypt*/**',
    '**/infra/**',
    '**/terraform/**',
    '**/deploy/**',
    '**/Dockerfile*',
    '**/*.tf',
    '**/*.tfvars',
    '**/k8s/**',
    '**/helm/**',
    '**/*.yaml',
    '**/*.yml',
    '**/.github/workflows/**',
    '**/.gitlab-ci.yml',
    '**/Jenkinsfile',
    '**/.circleci/**',
    '**/*.sh',
  ],
  { dot: true, nocase: true },
);
const LOW_RISK = picomatch(['**/*.md', '**/*.txt', '**/*.rst', '**/docs/**', '**/*.{test,spec}.*', '**/test/**', '**/tests/**'], {
  dot: true,
  nocase: true,
});

/** 2 high, 1 ordinary, 0 low. */
export function filePriority(path: string): number {
  if (HIGH_RISK(path)) return 2;
  if (LOW_RISK(path)) return 0;
  return 1;
}
