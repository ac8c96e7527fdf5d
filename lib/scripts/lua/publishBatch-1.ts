import type { ScriptDefinition } from '../script-definition.js';

export const publishBatch: ScriptDefinition = {
  name: 'mqPublishBatch',
  numberOfKeys: 1,
  lua: `--[[
  Appends many messages to one stream in one call: the plain XADDs a client collected during one
  event-loop turn (messages without deduplication, capacity limit or delay). Each XADD stands on
  its own: one that fails (e.g. the key holds another type) fails alone, in its slot of the reply,
  and never stops the others.

  Input:
    KEYS[1] stream
    ARGV    for each message: its number of fields n, then its n field/value strings

  Output: { ids, errors }
    ids     entry id of each message in input order ('' for one that failed)
    errors  flat list: position (1-based), error message, for each message that failed
]]
local ids = {}
local errors = {}
local i = 1
local last = #ARGV
while i <= last do
  local n = tonumber(ARGV[i])
  local reply = redis.pcall('XADD', KEYS[1], '*', unpack(ARGV, i + 1, i + n))
  if type(reply) == 'table' and reply.err then
    ids[#ids + 1] = ''
    errors[#errors + 1] = #ids
    errors[#errors + 1] = reply.err
  else
    ids[#ids + 1] = reply
  end
  i = i + n + 1
end
return { ids, errors }
`,
};
