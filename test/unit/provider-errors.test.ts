import assert from 'node:assert/strict';
import { ollamaCutPrompt } from '../../src/core/providers/ollama.js';
import { connectionFailure, promptLooksCut, ProviderError } from '../../src/core/providers/types.js';

const coded = (message: string, code: string): Error => Object.assign(new Error(message), { code });

describe('connectionFailure', () => {
  it('tells nothing answering from a connection closed under a call', () => {
    assert.equal(
      connectionFailure(new TypeError('fetch failed', { cause: coded('connect ECONNREFUSED 127.0.0.1:11434', 'ECONNREFUSED') })),
      'refused',
    );
    assert.equal(
      connectionFailure(new TypeError('fetch failed', { cause: coded('getaddrinfo ENOTFOUND gpu-box', 'ENOTFOUND') })),
      'refused',
    );
    assert.equal(connectionFailure(new TypeError('fetch failed', { cause: coded('other side closed', 'UND_ERR_SOCKET') })), 'reset');
    assert.equal(connectionFailure(new TypeError('terminated', { cause: coded('other side closed', 'UND_ERR_SOCKET') })), 'reset');
    assert.equal(connectionFailure(coded('read ECONNRESET', 'ECONNRESET')), 'reset');
    assert.equal(connectionFailure(coded('socket hang up', 'ECONNRESET')), 'reset');
    assert.equal(connectionFailure(new Error('socket hang up')), 'reset');
    assert.equal(connectionFailure(new TypeError('fetch failed')), 'refused', 'no cause: as before, nothing answered');
    assert.equal(connectionFailure(new Error('HTTP 500')), null);
    assert.equal(connectionFailure('ECONNRESET'), null);
  });

  it('marks transient failures, which do not stop a review', () => {
    const e = new ProviderError('other', 'cut', 'fix', { transient: true });
    assert.equal(e.transient, true);
    assert.equal(e.setup, false);
    assert.equal(new ProviderError('unreachable', 'm', 'f').transient, false);
  });
});

describe('ollamaCutPrompt', () => {
  it('recognises the counts Ollama reports for a prompt it shortened', () => {
    assert.equal(ollamaCutPrompt(4096, 5000, 4096), true, 'Ollama engine: num_ctx tokens kept');
    assert.equal(ollamaCutPrompt(2050, 5000, 4096), true, 'llama.cpp runner: 4 + half the rest');
    assert.equal(ollamaCutPrompt(32770, 60000, 65536), true);
    assert.equal(ollamaCutPrompt(1026, 15000, 2048), true);
    assert.equal(ollamaCutPrompt(900, 3000, 16384), true, 'far below the estimate');
  });

  it('leaves a prompt that fitted alone', () => {
    assert.equal(ollamaCutPrompt(3000, 3400, 4096), false);
    assert.equal(ollamaCutPrompt(2050, 2100, 4096), false, 'half the window, but about what was sent');
    assert.equal(ollamaCutPrompt(0, 3000, 4096), false, 'no count reported (a cached prompt on old Ollama)');
    assert.equal(ollamaCutPrompt(100, 300, 4096), false, 'too small to compare');
  });

  it('promptLooksCut compares with an estimate that errs high', () => {
    assert.equal(promptLooksCut(3000, 1400), true);
    assert.equal(promptLooksCut(3000, 2200), false);
    assert.equal(promptLooksCut(400, 100), false);
  });
});
