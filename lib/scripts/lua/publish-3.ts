import type { ScriptDefinition } from '../script-definition.js';

export const publish: ScriptDefinition = {
  name: 'mqPublish',
  numberOfKeys: 3,
  lua: `--[[
  Publishes one message when it needs more than a plain XADD: a deduplication id, a capacity
  limit, or a delivery time. The checks and the write are one atomic step.

  Input:
    KEYS[1] stream
    KEYS[2] delayed zset
    KEYS[3] deduplication key (ignored when ARGV[2] is 0)
    ARGV[1] max length (0: no limit)
    ARGV[2] deduplication window ms (0: no deduplication)
    ARGV[3] due ms (0: now)
    ARGV[4] message id
    ARGV[5..] entry fields

  Output: { code, value }
     0  published: value = entry id ('' when it went to the delayed set)
    -1  duplicate: value = the first message's id
    -2  topic full: value = the stream's length
]]
local window = tonumber(ARGV[2])
if window > 0 then
  local first = redis.call('GET', KEYS[3])
  if first then return { -1, first } end
end
local maxLen = tonumber(ARGV[1])
if maxLen > 0 then
  local len = redis.call('XLEN', KEYS[1])
  if len >= maxLen then return { -2, tostring(len) } end
end
local fields = {}
for i = 5, #ARGV do fields[#fields + 1] = ARGV[i] end
local id = ''
if tonumber(ARGV[3]) > 0 then
  -- The member is the whole field list: unique (it holds the message id) and self-contained.
  redis.call('ZADD', KEYS[2], ARGV[3], cjson.encode(fields))
else
  id = redis.call('XADD', KEYS[1], '*', unpack(fields))
end
if window > 0 then redis.call('SET', KEYS[3], ARGV[4], 'PX', window) end
return { 0, id }
`,
};
