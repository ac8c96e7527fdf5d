import type { ScriptDefinition } from '../script-definition.js';

export const trimAcked: ScriptDefinition = {
  name: 'mqTrimAcked',
  numberOfKeys: 2,
  lua: `--[[
  Housekeeping: trims entries older than the retention, but only those every group has acked and
  no dead letter refers to. The boundary is the lowest of: now - retention; per group, its oldest
  pending entry (or, with none pending, the entry after its last delivered one: later entries are
  unread); the oldest original referenced by a dead letter. XTRIM MINID removes ids below it.

  Input:
    KEYS[1] stream
    KEYS[2] dead-letter refs zset
    ARGV[1] retention boundary (ms): entries older than this may go

  Output: number of entries trimmed
]]
local function parse(id)
  local ms, seq = string.match(id, '^(%d+)-(%d+)$')
  return tonumber(ms), tonumber(seq)
end
local function lower(a, b)
  local ams, aseq = parse(a)
  local bms, bseq = parse(b)
  if ams < bms or (ams == bms and aseq < bseq) then return a end
  return b
end
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local boundary = ARGV[1] .. '-0'
for _, group in ipairs(redis.call('XINFO', 'GROUPS', KEYS[1])) do
  local info = {}
  for i = 1, #group, 2 do info[group[i]] = group[i + 1] end
  local pending = redis.call('XPENDING', KEYS[1], info['name'])
  if pending[1] > 0 then
    boundary = lower(boundary, pending[2])
  else
    local ms, seq = parse(info['last-delivered-id'])
    boundary = lower(boundary, ms .. '-' .. (seq + 1))
  end
end
-- Refs are scored by the entry's ms only: among the lowest ms, take the lowest full id.
local ref = redis.call('ZRANGE', KEYS[2], 0, 0, 'WITHSCORES')
if ref[2] then
  for _, member in ipairs(redis.call('ZRANGEBYSCORE', KEYS[2], ref[2], ref[2])) do
    boundary = lower(boundary, string.match(member, '^([^|]+)'))
  end
end
return redis.call('XTRIM', KEYS[1], 'MINID', boundary)
`,
};
