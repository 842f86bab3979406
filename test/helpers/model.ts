import { OllamaProvider } from '../../src/core/providers/ollama.js';

/** The Ollama provider as a review builds it, pointed at a loopback fake. */
export function localModel(host: string, over: { maxNumCtx?: number; outputReserve?: number; parallel?: number } = {}): OllamaProvider {
  return new OllamaProvider({
    host,
    model: 'qwen2.5-coder:7b',
    maxNumCtx: over.maxNumCtx ?? 16384,
    outputReserve: over.outputReserve ?? 512,
    keepAlive: '5m',
    temperature: 0.1,
    parallel: over.parallel,
  });
}
