import type { ScriptDefinition } from '../script-definition.js';

export const scheduleRetry: ScriptDefinition = {
  name: 'mqScheduleRetry',
  numberOfKeys: 2,
  lua: `--[[
  Schedules the next attempt of an entry that failed for a group. The entry stays in that group's
  PEL (not acked), so the retry is durable and private to the group.

  Input:
    KEYS[1] retry zset of the group
    KEYS[2] failures hash of the group
    ARGV[1] entry id
    ARGV[2] due (ms)
    ARGV[3] now (ms): first failure time, kept if already set
    ARGV[4] traceparent of the failed attempt's span ('' when not traced): the next attempt links to
            it, whichever consumer of the group claims it (field '<entry id>:span')

  Output: 1
]]
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
redis.call('HSETNX', KEYS[2], ARGV[1], ARGV[3])
if ARGV[4] and ARGV[4] ~= '' then
  redis.call('HSET', KEYS[2], ARGV[1] .. ':span', ARGV[4])
else
  redis.call('HDEL', KEYS[2], ARGV[1] .. ':span')
end
return 1
`,
};
