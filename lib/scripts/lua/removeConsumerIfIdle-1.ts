import type { ScriptDefinition } from '../script-definition.js';

export const removeConsumerIfIdle: ScriptDefinition = {
  name: 'mqRemoveConsumerIfIdle',
  numberOfKeys: 1,
  lua: `--[[
  Deletes a consumer from its group only if it owns no pending entry: deleting it would drop
  those entries from the PEL, and with them the at-least-once guarantee.

  Input:
    KEYS[1] stream
    ARGV[1] group
    ARGV[2] consumer

  Output: 1 if deleted, 0 if it still owns pending entries
]]
local p = redis.call('XPENDING', KEYS[1], ARGV[1], '-', '+', 1, ARGV[2])
if #p > 0 then return 0 end
redis.call('XGROUP', 'DELCONSUMER', KEYS[1], ARGV[1], ARGV[2])
return 1
`,
};
