import type { ScriptDefinition } from '../script-definition.js';

export const ensureGroup: ScriptDefinition = {
  name: 'mqEnsureGroup',
  numberOfKeys: 1,
  lua: `--[[
  Creates a consumer group unless it exists. The first group of a topic (no stream yet, or a stream
  without any group) starts at '0', where the producer started, so nothing published before the
  first consumer's first deploy is lost; later groups start at the given id. Atomic: replicas racing
  to create the same group agree on where it starts.

  Input:
    KEYS[1] stream
    ARGV[1] group
    ARGV[2] start id when the stream already has groups ('$', '0', or an entry id)

  Output: { created, start }  created = 1 if this call created the group
]]
local start = ARGV[2]
if redis.call('EXISTS', KEYS[1]) == 0 then
  start = '0'
else
  local groups = redis.call('XINFO', 'GROUPS', KEYS[1])
  for _, g in ipairs(groups) do
    for i = 1, #g, 2 do
      if g[i] == 'name' and g[i + 1] == ARGV[1] then return { 0, '' } end
    end
  end
  if #groups == 0 then start = '0' end
end
redis.call('XGROUP', 'CREATE', KEYS[1], ARGV[1], start, 'MKSTREAM')
return { 1, start }
`,
};
