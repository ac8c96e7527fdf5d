import type { ScriptDefinition } from '../script-definition.js';

export const replayDeadLetters: ScriptDefinition = {
  name: 'mqReplayDeadLetters',
  numberOfKeys: 5,
  lua: `--[[
  Sends dead letters of one group back to that group only. The original entry is still in the
  stream (dead-letter refs keep it from being trimmed): XCLAIM FORCE puts it back into the group's
  PEL with a delivery count of 0, and a due retry makes a consumer of the group claim it (attempt 1
  again). Other groups never see it. The dead letter is removed.
  Until then the entry is parked with the group's most recently active consumer: a made-up owner
  would stay in the group as a phantom consumer. Only a group without any consumer gets the owner
  '__replay__' (housekeeping deletes it once it owns nothing).

  Input:
    KEYS[1] stream
    KEYS[2] dead-letter stream
    KEYS[3] retry zset of the group
    KEYS[4] failures hash of the group
    KEYS[5] dead-letter refs zset
    ARGV[1] group
    ARGV[2] now (ms)
    ARGV[3..] dead-letter entry ids

  Output: { replayed, skipped }  skipped: ids not of this group, gone, or whose original was purged
]]
local owner, ownerIdle = '__replay__', nil
local consumers = redis.pcall('XINFO', 'CONSUMERS', KEYS[1], ARGV[1])
if not consumers.err then
  for _, c in ipairs(consumers) do
    local name, idle
    for j = 1, #c, 2 do
      if c[j] == 'name' then name = c[j + 1] elseif c[j] == 'idle' then idle = c[j + 1] end
    end
    if name ~= '__replay__' and (ownerIdle == nil or idle < ownerIdle) then owner, ownerIdle = name, idle end
  end
end
local replayed, skipped = 0, {}
for i = 3, #ARGV do
  local dl = redis.call('XRANGE', KEYS[2], ARGV[i], ARGV[i])
  local entryId, group, span
  if dl[1] then
    local f = dl[1][2]
    for j = 1, #f, 2 do
      if f[j] == 'dlq.entryId' then entryId = f[j + 1] elseif f[j] == 'dlq.group' then group = f[j + 1]
      elseif f[j] == 'dlq.span' then span = f[j + 1] end
    end
  end
  local claimed = {}
  if entryId and group == ARGV[1] then
    claimed = redis.call('XCLAIM', KEYS[1], ARGV[1], owner, 0, entryId, 'FORCE', 'RETRYCOUNT', 0, 'JUSTID')
  end
  if claimed[1] then
    redis.call('ZADD', KEYS[3], ARGV[2], entryId)
    redis.call('HDEL', KEYS[4], entryId)
    -- The replayed attempt links to the dead-lettered one (see scheduleRetry).
    if span then redis.call('HSET', KEYS[4], entryId .. ':span', span) else redis.call('HDEL', KEYS[4], entryId .. ':span') end
    redis.call('XDEL', KEYS[2], ARGV[i])
    redis.call('ZREM', KEYS[5], entryId .. '|' .. ARGV[1])
    replayed = replayed + 1
  else
    skipped[#skipped + 1] = ARGV[i]
  end
end
return { replayed, skipped }
`,
};
