import assert from 'node:assert/strict';
import cacache from 'cacache';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { CACHE_TTL_MS, isCachedReply, ReviewCache, type CachedReply } from '../../src/core/cache.js';
import { unitKey } from '../../src/core/cache-keys.js';
import { MIN_PACK, packGroups, packKey, UnitLookup } from '../../src/core/cache-packs.js';
import { packFile } from '../../src/core/pack/chunker.js';
import { parseUnifiedDiff } from '../helpers/diff.js';
import { CachedReplySchema } from '../../src/core/store/schemas.js';
import { tempDir } from '../helpers/git.js';

const key = (s: string | number): string => createHash('sha256').update(String(s)).digest('hex');
const finding = {
  file: 'a.ts',
  line: 3,
  severity: 'high',
  category: 'security',
  title: 'eval',
  message: 'eval runs code',
  quote: 'eval(x)',
};
const reply = (over: object = {}): CachedReply =>
  ({
    parsed: { summary: 's', findings: [finding], warnings: [], truncated: false, unusable: false },
    promptTokens: 0,
    completionTokens: 0,
    createdAt: Date.now(),
    ...over,
  }) as CachedReply;

/** A one-hunk diff of `a.ts` whose hunk starts at `at`. */
function diffAt(at: number, lines: string[]) {
  const adds = lines.filter((l) => l.startsWith('+')).length;
  const dels = lines.filter((l) => l.startsWith('-')).length;
  const ctx = lines.length - adds - dels;
  const text = [
    'diff --git a/a.ts b/a.ts',
    '--- a/a.ts',
    '+++ b/a.ts',
    `@@ -${at},${ctx + dels} +${at},${ctx + adds} @@`,
    ...lines,
    '',
  ].join('\n');
  return parseUnifiedDiff(text).files[0];
}
const parts = { provider: 'ollama', model: 'm', promptVersion: '1', rulesConfig: '{}', instructions: '' };
const keyOfDiff = (at: number, lines: string[]) => {
  const pieces = packFile(diffAt(at, lines), { budgetTokens: 4000, overlapLines: 3 });
  assert.equal(pieces.length, 1);
  return unitKey(pieces[0], parts);
};

describe('review cache packs', () => {
  it('a unit key does not move with the piece; its text, kinds and settings change it', () => {
    const lines = [' a', '-b', '+B', ' c', '+d'];
    const k = keyOfDiff(10, lines);
    assert.deepEqual([k.baseLine, k.baseOldLine], [10, 10]);
    assert.equal(keyOfDiff(11, lines).key, k.key, 'a line inserted above');
    assert.notEqual(keyOfDiff(10, [' a', '-b', '+B', ' c', '+e']).key, k.key);
    assert.notEqual(keyOfDiff(10, [' a', '-b', '+B', '+c', '+d']).key, k.key);
    assert.notEqual(keyOfDiff(10, [' a', '+B', '-b', ' c', '+d']).key, k.key, 'order of a removal and an addition');
    const piece = packFile(diffAt(10, lines), { budgetTokens: 4000, overlapLines: 3 })[0];
    assert.notEqual(unitKey(piece, { ...parts, model: 'other' }).key, k.key);
    assert.notEqual(unitKey(piece, { ...parts, instructions: 'be strict' }).key, k.key);
  });

  it('groups every key once, by content: replacing one key changes at most three groups of many', () => {
    const keys = Array.from({ length: 2000 }, (_, i) => key(i));
    const groups = packGroups([...keys, ...keys.slice(0, 10)]);
    assert.ok(groups.length > 10, `${groups.length} groups`);
    assert.deepEqual(groups.flat(), [...keys].sort());
    for (const replaced of [0, 777, 1999]) {
      const changed = [...keys];
      changed[replaced] = key(`edited ${replaced}`);
      const before = new Set(groups.map(packKey));
      const after = packGroups(changed).map(packKey);
      const fresh = after.filter((k) => !before.has(k));
      assert.ok(fresh.length >= 1 && fresh.length <= 3, `${fresh.length} groups changed`);
    }
  });

  it('the hand check accepts nothing the schema rejects', () => {
    const samples: unknown[] = [
      reply(),
      reply({ parsed: { summary: '', findings: [], warnings: ['w'], truncated: true, unusable: false, extra: 1 } }),
      reply({ parsed: { summary: '', findings: [null], warnings: [], truncated: false, unusable: false } }),
      reply({ parsed: { summary: '', findings: [{ ...finding, line: 2.5 }], warnings: [], truncated: false, unusable: false } }),
      reply({ parsed: { summary: '', findings: [{ ...finding, file: '' }], warnings: [], truncated: false, unusable: false } }),
      reply({ parsed: { summary: '', findings: [{ ...finding, severity: 'dire' }], warnings: [], truncated: false, unusable: false } }),
      reply({ parsed: { summary: '', findings: [{ ...finding, endLine: '4' }], warnings: [], truncated: false, unusable: false } }),
      reply({ parsed: { summary: 1, findings: [], warnings: [], truncated: false, unusable: false } }),
      reply({ parsed: { summary: '', findings: [], warnings: [3], truncated: false, unusable: false } }),
      reply({ createdAt: 'yesterday' }),
      { ...reply(), promptTokens: undefined },
      [],
      null,
      'text',
    ];
    const verdicts = samples.map((s) => [isCachedReply(s), CachedReplySchema.safeParse(s).success]);
    for (const [hand, schema] of verdicts) if (hand) assert.equal(schema, true);
    assert.deepEqual(
      verdicts.map(([hand]) => hand),
      [true, true, false, false, false, false, false, false, false, false, false, false, false, false],
    );
  });

  it('a pack holds its replies by key; expired ones are misses; a torn pack is a miss with one warning, removed', async () => {
    let now = Date.parse('2026-11-01T00:00:00Z');
    const dir = tempDir();
    const warnings: string[] = [];
    const cache = new ReviewCache(dir, { now: () => now, onWarning: (m) => warnings.push(m) });
    const old = await cache.set(key('old'), { parsed: reply().parsed, promptTokens: 1, completionTokens: 1 });
    now += CACHE_TTL_MS - 1000;
    const recent = await cache.set(key('new'), { parsed: reply().parsed, promptTokens: 2, completionTokens: 2 });
    await cache.setPack(
      key('pack'),
      new Map([
        [key('old'), old],
        [key('new'), recent],
      ]),
    );
    assert.deepEqual([...(await cache.getPack(key('pack')))!.keys()], [key('old'), key('new')]);
    now += 2000;
    const later = await cache.getPack(key('pack'));
    assert.deepEqual([...later!.keys()], [key('new')], 'the expired reply is a miss');
    assert.deepEqual(later!.get(key('new'))!.parsed.findings, [finding]);
    assert.equal(await cache.prune(), 2, 'the old reply and the pack it expired with');

    await cacache.put(join(dir, 'replies'), key('torn'), '{"pack":1,"replies":{"k":{"parsed":');
    await cacache.put(join(dir, 'replies'), key('bad'), JSON.stringify({ pack: 1, replies: { k: { ...reply(), parsed: null } } }));
    assert.equal(await cache.getPack(key('torn')), null);
    assert.equal(await cache.getPack(key('bad')), null);
    assert.equal(warnings.length, 1, warnings.join('\n'));
    assert.match(warnings[0], /cache entry .* not valid JSON/);
    assert.deepEqual(Object.keys(await cacache.ls(join(dir, 'replies'))), [key('new')], 'both removed');
  });

  it('a review reads packs, then the units of the groups that missed, and packs those once complete', async () => {
    const dir = tempDir();
    const cache = new ReviewCache(dir, { onWarning: (m) => assert.fail(m) });
    const keys = Array.from({ length: 300 }, (_, i) => key(`unit ${i}`));
    const first = new UnitLookup(cache);
    assert.equal((await first.load(keys)).size, 0);
    for (const k of keys.slice(0, 299))
      first.record(k, await cache.set(k, { parsed: reply().parsed, promptTokens: 0, completionTokens: 0 }));
    await first.storePacks();
    const packs = packGroups(keys).filter((g) => g.length >= MIN_PACK);
    const incomplete = packs.filter((g) => g.includes(keys[299]));
    const stored = Object.keys(await cacache.ls(join(dir, 'replies')));
    for (const g of packs)
      assert.equal(stored.includes(packKey(g)), !incomplete.includes(g), 'a group with a unit unanswered is not packed');

    await cache.set(keys[299], { parsed: reply().parsed, promptTokens: 0, completionTokens: 0 });
    const reads: string[] = [];
    const counting = new (class extends ReviewCache {
      override async get(k: string) {
        reads.push(k);
        return super.get(k);
      }
    })(dir);
    const second = new UnitLookup(counting);
    assert.equal((await second.load(keys)).size, 300);
    const single = packGroups(keys).filter((g) => g.length < MIN_PACK || g.includes(keys[299]));
    assert.ok(single.flat().length < 300 / 2, `${single.flat().length} read one by one`);
    assert.deepEqual(reads.sort(), single.flat().sort(), 'units are read one by one only where no pack holds them');
  });
});
