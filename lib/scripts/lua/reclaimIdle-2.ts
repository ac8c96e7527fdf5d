import type { ScriptDefinition } from '../script-definition.js';

export const reclaimIdle: ScriptDefinition = {
  name: 'mqReclaimIdle',
  numberOfKeys: 2,
  lua: `--[[
  Takes over the group's entries idle for at least min-idle ms (their consumer crashed or hangs),
  skipping entries that wait for a scheduled retry (idle on purpose). Scans the PEL from a cursor
  so a head of retry-waiting entries cannot hide the rest.

  Input:
    KEYS[1] stream
    KEYS[2] retry zset of the group
    ARGV[1] group
    ARGV[2] consumer
    ARGV[3] min idle (ms)
    ARGV[4] max entries
    ARGV[5] cursor: '-' or '(<entry id>'

  Output: { entries, counts, deleted, cursor }
    entries, counts, deleted  as in claimRetries
    cursor                    where the next scan starts; '-' once the PEL end was reached
]]
local max = tonumber(ARGV[4])
local scan = max * 4
local pending = redis.call('XPENDING', KEYS[1], ARGV[1], 'IDLE', ARGV[3], ARGV[5], '+', scan)
local ids, counts, deleted, entries = {}, {}, {}, {}
local cursor = '-'
for i, p in ipairs(pending) do
  if redis.call('ZSCORE', KEYS[2], p[1]) == false then
    ids[#ids + 1] = p[1]
    counts[#counts + 1] = p[1]
    counts[#counts + 1] = p[4] + 1
  end
  if #ids >= max and i < #pending then
    cursor = '(' .. p[1]
    break
  end
end
if cursor == '-' and #pending == scan then cursor = '(' .. pending[#pending][1] end
if #ids > 0 then
  entries = redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[2], ARGV[3], unpack(ids))
  local seen = {}
  for _, e in ipairs(entries) do seen[e[1]] = true end
  for _, id in ipairs(ids) do
    if not seen[id] then deleted[#deleted + 1] = id end
  end
end
return { entries, counts, deleted, cursor }
`,
};
