import type { PullmintConfig } from '../config.js';
import { AnthropicProvider } from './anthropic.js';
import { OllamaProvider } from './ollama.js';
import { OpenAICompatibleProvider } from './openai.js';
import type { ReviewProvider } from './types.js';

export interface ProviderSecrets {
  anthropicApiKey?: string;
  openaiApiKey?: string;
}

/** The one place a provider name becomes a provider. */
export function createProvider(config: PullmintConfig, secrets: ProviderSecrets): ReviewProvider {
  switch (config.provider) {
    case 'anthropic':
      return new AnthropicProvider({
        apiKey: secrets.anthropicApiKey,
        baseURL: config.anthropic.baseUrl || undefined,
        model: config.anthropic.model,
        maxOutputTokens: config.anthropic.maxOutputTokens,
        maxRetries: 2,
      });
    case 'openai':
      return new OpenAICompatibleProvider({
        baseURL: config.openai.baseUrl,
        model: config.openai.model,
        apiKey: secrets.openaiApiKey,
        contextTokens: config.openai.contextTokens,
        outputReserve: config.outputReserveTokens,
      });
    case 'ollama':
      return new OllamaProvider({
        host: config.ollama.host,
        model: config.ollama.model,
        maxNumCtx: config.ollama.numCtx,
        outputReserve: config.outputReserveTokens,
        keepAlive: config.ollama.keepAlive,
        temperature: 0.1,
      });
  }
}

export { ProviderError } from './types.js';
export type { ReviewProvider } from './types.js';
