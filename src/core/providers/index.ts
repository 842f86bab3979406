import type { PullmintConfig } from '../config/schema.js';
import type { SecretStore } from '../secrets.js';
import { providerModule } from './registry.js';
import type { ProviderContext, ProviderModule, ReviewProvider } from './types.js';

/** The chosen provider's module and what it is given: its secret and the shared limits. */
export async function providerOf(config: PullmintConfig, secrets: SecretStore): Promise<{ module: ProviderModule; ctx: ProviderContext }> {
  const module = providerModule(config.provider);
  if (!module) throw new Error(`unknown provider '${config.provider}'`);
  const apiKey = module.secret ? await secrets.get(module.secret) : undefined;
  return { module, ctx: { apiKey, outputReserveTokens: config.outputReserveTokens, timeoutMs: config.timeoutSeconds * 1000 } };
}

/** The one place a provider name becomes a provider. */
export async function createProvider(config: PullmintConfig, secrets: SecretStore): Promise<ReviewProvider> {
  const { module, ctx } = await providerOf(config, secrets);
  return module.create(config[config.provider], ctx);
}
