/**
 * The secrets port: every credential Pullmint uses, by name. The CLI and the Action read them from
 * the environment; the editor from its SecretStorage. Never from a repository or a settings file.
 */
export const SECRETS = {
  anthropicApiKey: { label: 'Anthropic API key', env: ['ANTHROPIC_API_KEY'] },
  openaiApiKey: { label: 'OpenAI-compatible server API key', env: ['PULLMINT_OPENAI_API_KEY'] },
  githubToken: { label: 'GitHub token', env: ['GITHUB_TOKEN', 'GH_TOKEN'] },
  gitlabToken: { label: 'GitLab token', env: ['GITLAB_TOKEN'] },
  deployToken: { label: 'deploy webhook token', env: ['PULLMINT_DEPLOY_TOKEN'] },
  deploySecret: { label: 'deploy signing secret', env: ['PULLMINT_DEPLOY_SECRET'] },
} as const;

export type SecretName = keyof typeof SECRETS;

export interface SecretStore {
  get(name: SecretName): Promise<string | undefined>;
}

/** Secrets from environment variables (CLI, pre-push hook, Action); `extra` wins (Action inputs). */
export function envSecrets(env: NodeJS.ProcessEnv, extra: Partial<Record<SecretName, string>> = {}): SecretStore {
  return {
    get: async (name) => extra[name] || SECRETS[name].env.map((k) => env[k]).find((v) => v) || undefined,
  };
}
