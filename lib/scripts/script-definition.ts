/** A Lua script and how many of its arguments are keys (bullmq's `<name>-<numberOfKeys>` convention). */
export interface ScriptDefinition {
  name: string;
  numberOfKeys: number;
  lua: string;
}
