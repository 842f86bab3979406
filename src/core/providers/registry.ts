import { anthropic } from './anthropic.js';
import { ollama } from './ollama.js';
import { openai } from './openai.js';
import type { ProviderModule } from './types.js';

/** Every provider, the default first. A new provider is its own file plus one entry here. */
export const PROVIDERS = [ollama, anthropic, openai] as const;

export type ProviderName = (typeof PROVIDERS)[number]['name'];

export const PROVIDER_NAMES = PROVIDERS.map((p) => p.name) as [ProviderName, ...ProviderName[]];

export function providerModule(name: string): ProviderModule | undefined {
  return (PROVIDERS as readonly ProviderModule[]).find((p) => p.name === name);
}
