import type { ScriptDefinition } from '../script-definition.js';

export const publishBatch: ScriptDefinition = {
  name: 'mqPublishBatch',
  numberOfKeys: 1,
  lua: `--[[
  Appends many messages with the same field names to one stream in one call: the plain XADDs a
  client collected during one event-loop turn (messages without deduplication, capacity limit or
  delay). The names are sent once, then only each message's values. Each XADD stands on its own: one
  that fails fails alone, in its slot of the reply, and never stops the others.

  Input:
    KEYS[1] stream
    ARGV[1] n, the number of fields of every message
    ARGV[2 .. n+1] the field names
    ARGV[n+2 ..] the values: n per message, messages in order

  Output: { ids, errors }
    ids     entry id of each message in input order ('' for one that failed)
    errors  flat list: position (1-based), error message, for each message that failed
]]
local n = tonumber(ARGV[1])
local fields = {}
for j = 1, n do fields[2 * j - 1] = ARGV[1 + j] end
local ids = {}
local errors = {}
local count = 0
for i = n + 2, #ARGV, n do
  for j = 1, n do fields[2 * j] = ARGV[i + j - 1] end
  local reply = redis.pcall('XADD', KEYS[1], '*', unpack(fields, 1, 2 * n))
  count = count + 1
  if type(reply) == 'table' and reply.err then
    ids[count] = ''
    errors[#errors + 1] = count
    errors[#errors + 1] = reply.err
  else
    ids[count] = reply
  end
end
return { ids, errors }
`,
};
