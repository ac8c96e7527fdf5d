import type { ScriptDefinition } from '../script-definition.js';

export const claimRetries: ScriptDefinition = {
  name: 'mqClaimRetries',
  numberOfKeys: 3,
  lua: `--[[
  Claims the group's retries that are due, for this consumer. The entries never left the group's
  PEL, so another group never sees them again; XCLAIM bumps their delivery count (the attempt).

  Input:
    KEYS[1] stream
    KEYS[2] retry zset of the group (member = entry id, score = due ms)
    KEYS[3] failures hash of the group (for '<entry id>:span', see scheduleRetry)
    ARGV[1] group
    ARGV[2] consumer
    ARGV[3] now (ms)
    ARGV[4] max entries

  Output: { entries, counts, deleted, nextDue, spans }
    entries  XCLAIM reply: { {id, {field, value, ...}}, ... }
    counts   flat list: id, delivery count after the claim, ...
    deleted  ids whose entry was trimmed or deleted (XCLAIM dropped them from the PEL)
    nextDue  score of the earliest retry left, or '-1'
    spans    flat list: id, traceparent of its failed attempt, for the claimed entries that have one
]]
local due = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', ARGV[3], 'LIMIT', 0, tonumber(ARGV[4]))
local entries, counts, deleted, spans = {}, {}, {}, {}
if #due > 0 then
  redis.call('ZREM', KEYS[2], unpack(due))
  local live = {}
  for _, id in ipairs(due) do
    local p = redis.call('XPENDING', KEYS[1], ARGV[1], id, id, 1)
    if p[1] then
      live[#live + 1] = id
      counts[#counts + 1] = id
      counts[#counts + 1] = p[1][4] + 1
      local span = redis.call('HGET', KEYS[3], id .. ':span')
      if span then
        spans[#spans + 1] = id
        spans[#spans + 1] = span
      end
    end
  end
  if #live > 0 then
    entries = redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[2], 0, unpack(live))
  end
  local seen = {}
  for _, e in ipairs(entries) do seen[e[1]] = true end
  for _, id in ipairs(live) do
    if not seen[id] then deleted[#deleted + 1] = id end
  end
end
local nxt = redis.call('ZRANGE', KEYS[2], 0, 0, 'WITHSCORES')
return { entries, counts, deleted, nxt[2] or '-1', spans }
`,
};
