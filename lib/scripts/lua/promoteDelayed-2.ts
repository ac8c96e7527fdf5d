import type { ScriptDefinition } from '../script-definition.js';

export const promoteDelayed: ScriptDefinition = {
  name: 'mqPromoteDelayed',
  numberOfKeys: 2,
  lua: `--[[
  Moves delayed messages that are due into the stream. Atomic, so any number of server instances
  may run it: each message is promoted exactly once.

  Input:
    KEYS[1] delayed zset (member = JSON field list, score = due ms)
    KEYS[2] stream
    ARGV[1] now (ms)
    ARGV[2] max messages

  Output: { promoted, nextDue }  nextDue = score of the earliest message left, or '-1'
]]
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
for _, member in ipairs(due) do
  local ok, fields = pcall(cjson.decode, member)
  if ok and type(fields) == 'table' and #fields > 0 and #fields % 2 == 0 then
    redis.call('XADD', KEYS[2], '*', unpack(fields))
  else
    -- Not ours: keep it visible to consumers, who dead-letter what they cannot decode.
    redis.call('XADD', KEYS[2], '*', 'raw', member)
  end
end
if #due > 0 then redis.call('ZREM', KEYS[1], unpack(due)) end
local nxt = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return { #due, nxt[2] or '-1' }
`,
};
