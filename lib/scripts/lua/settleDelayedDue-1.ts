import type { ScriptDefinition } from '../script-definition.js';

export const settleDelayedDue: ScriptDefinition = {
  name: 'mqSettleDelayedDue',
  numberOfKeys: 1,
  lua: `--[[
  After a promotion, moves a topic's entry in the delayed due index to the topic's next due time,
  but only if nobody changed it since it was read (compare and set): a producer lowering it
  meanwhile (ZADD LT) must win. When it changed, the next due time is only merged in (LT).

  Input:
    KEYS[1] delayed due index (member = topic, score = earliest due ms)
    ARGV[1] topic
    ARGV[2] score read before the promotion
    ARGV[3] next due ms of the topic, or '-1' when its delayed set is empty

  Output: 1 if set (or removed), 0 if only merged
]]
local cur = redis.call('ZSCORE', KEYS[1], ARGV[1])
if cur and tonumber(cur) == tonumber(ARGV[2]) then
  if ARGV[3] == '-1' then
    redis.call('ZREM', KEYS[1], ARGV[1])
  else
    redis.call('ZADD', KEYS[1], ARGV[3], ARGV[1])
  end
  return 1
end
if ARGV[3] ~= '-1' then redis.call('ZADD', KEYS[1], 'LT', ARGV[3], ARGV[1]) end
return 0
`,
};
