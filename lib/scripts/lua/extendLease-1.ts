import type { ScriptDefinition } from '../script-definition.js';

export const extendLease: ScriptDefinition = {
  name: 'mqExtendLease',
  numberOfKeys: 1,
  lua: `--[[
  Resets the idle time of entries this consumer still owns and is still handling, so a slow but
  live handler is never taken over. JUSTID: the delivery count (attempt) does not move. Entries
  another consumer has meanwhile taken over are left alone.

  Input:
    KEYS[1] stream
    ARGV[1] group
    ARGV[2] consumer
    ARGV[3..] entry ids

  Output: number of leases extended
]]
local mine = {}
for i = 3, #ARGV do
  local p = redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[i], ARGV[i], 1)
  if p[1] and p[1][2] == ARGV[2] then mine[#mine + 1] = ARGV[i] end
end
local n = #mine
if n > 0 then
  mine[n + 1] = 'JUSTID' -- unpack() must stay the last argument, so the flag goes in the list
  redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[2], 0, unpack(mine))
end
return n
`,
};
