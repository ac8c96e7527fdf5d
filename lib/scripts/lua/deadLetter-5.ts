import type { ScriptDefinition } from '../script-definition.js';

export const deadLetter: ScriptDefinition = {
  name: 'mqDeadLetter',
  numberOfKeys: 5,
  lua: `--[[
  Moves one entry that failed for a group to the topic's dead-letter stream and settles it for
  that group only (ack, forget its retry and failure record), atomically.

  Input:
    KEYS[1] stream
    KEYS[2] dead-letter stream
    KEYS[3] retry zset of the group
    KEYS[4] failures hash of the group (entry id -> first failure ms, '<entry id>:span' -> traceparent)
    KEYS[5] dead-letter refs zset (keeps the original from being trimmed, for replay)
    ARGV[1] group
    ARGV[2] entry id
    ARGV[3] error message
    ARGV[4] attempts
    ARGV[5] now (ms)
    ARGV[6] topic
    ARGV[7] traceparent of the last failed attempt's span ('' when not traced): kept as 'dlq.span', so
            a replay links to it
    ARGV[8..] original entry fields (field, value, ...)

  Output: the dead-letter entry id
]]
local first = redis.call('HGET', KEYS[4], ARGV[2]) or ARGV[5]
local fields = { 'dlq.topic', ARGV[6], 'dlq.group', ARGV[1], 'dlq.entryId', ARGV[2],
  'dlq.error', ARGV[3], 'dlq.attempts', ARGV[4], 'dlq.firstFailedAt', first, 'dlq.lastFailedAt', ARGV[5] }
if ARGV[7] ~= '' then
  fields[#fields + 1] = 'dlq.span'
  fields[#fields + 1] = ARGV[7]
end
for i = 8, #ARGV do fields[#fields + 1] = ARGV[i] end
local id = redis.call('XADD', KEYS[2], '*', unpack(fields))
redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
redis.call('ZREM', KEYS[3], ARGV[2])
redis.call('HDEL', KEYS[4], ARGV[2], ARGV[2] .. ':span')
local ms = tonumber(string.match(ARGV[2], '^(%d+)'))
if ms then redis.call('ZADD', KEYS[5], ms, ARGV[2] .. '|' .. ARGV[1]) end
return id
`,
};
