import type { ScriptDefinition } from '../script-definition.js';

export const removeIdleConsumers: ScriptDefinition = {
  name: 'mqRemoveIdleConsumers',
  numberOfKeys: 1,
  lua: `--[[
  Housekeeping: deletes, in every group of the stream, the consumers that own no pending entry and
  have been idle at least min-idle ms (processes that crashed or were replaced). A consumer that
  owns entries is never deleted (that would drop them from the PEL); a live one that is only idle
  is recreated by its next read.

  Input:
    KEYS[1] stream
    ARGV[1] min idle (ms)

  Output: number of consumers deleted
]]
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local minIdle = tonumber(ARGV[1])
local removed = 0
for _, g in ipairs(redis.call('XINFO', 'GROUPS', KEYS[1])) do
  local group
  for i = 1, #g, 2 do if g[i] == 'name' then group = g[i + 1] end end
  for _, c in ipairs(redis.call('XINFO', 'CONSUMERS', KEYS[1], group)) do
    local info = {}
    for i = 1, #c, 2 do info[c[i]] = c[i + 1] end
    if info['pending'] == 0 and info['idle'] >= minIdle then
      redis.call('XGROUP', 'DELCONSUMER', KEYS[1], group, info['name'])
      removed = removed + 1
    end
  end
end
return removed
`,
};
