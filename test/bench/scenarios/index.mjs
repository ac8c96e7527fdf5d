import { resolve } from 'node:path';

/**
 * Every peer the bench runs side by side. `module` names the file in this folder that has the
 * producer/consumer pair; `cfg` is merged into the children's config.
 */
export const SCENARIOS = [
  {
    name: 'ioredis-100',
    label: 'plain ioredis loop, XREADGROUP COUNT 100',
    module: 'ioredis',
    cfg: { count: 100 },
    baseline: true,
  },
  {
    name: 'ioredis-1000',
    label: 'plain ioredis loop, XREADGROUP COUNT 1000',
    module: 'ioredis',
    cfg: { count: 1000 },
    baseline: true,
  },
  { name: 'nest-redis', label: "Nest's Transport.REDIS (pub/sub, not durable)", module: 'nest-redis', cfg: {} },
  {
    name: 'streams-transporter',
    label: '@nestjs-redis/streams-transporter 2.0.1, defaults (maxStreamLength raised, see notes)',
    module: 'streams-transporter',
    // Its default maxStreamLength (10,000) trims unread entries when the producer runs ahead.
    cfg: params => ({ maxStreamLength: Math.max(10_000, 2 * (params.messages + (params.warmup ?? 0) + (params.warmupRun ?? 0))) }),
  },
  { name: 'bullmq', label: 'BullMQ, Queue.add → Worker (concurrency 50)', module: 'bullmq', cfg: { concurrency: 50 } },
  { name: 'ours-default', label: 'ours, defaults', module: 'ours', cfg: {} },
  {
    // Diagnostic: the transport's own cost, without Nest's per-message handler pipeline.
    name: 'ours-bare',
    label: 'ours, defaults, handler given to server.subscribe() (no Nest per-message pipeline)',
    module: 'ours',
    cfg: { bare: true },
    diagnostic: true,
  },
  {
    name: 'ours-tuned',
    label: 'ours, tuned: concurrency 512, batchSize 512',
    module: 'ours',
    cfg: () => ({ server: TUNED.server, client: TUNED.client }),
  },
];

/**
 * The "tuned" variant of ours: only public options, tuned for throughput — more handlers in flight
 * and bigger reads, so one XREADGROUP and one XACK serve hundreds of messages. The client keeps
 * its defaults.
 */
export const TUNED = {
  server: { concurrency: 512, batchSize: 512 },
  client: {},
};

/**
 * With `--compare-dist=[name=]DIR,…`: every scenario of ours once more per build, named
 * `<name>@<build name>` (default `cmp1`, `cmp2`, …), loading that build (e.g. an older commit's
 * `dist/`, see ours-build.mjs), so builds are compared within one run.
 */
export function withComparedBuilds(scenarios, compareDist) {
  const builds = String(compareDist ?? '').split(',').filter(Boolean);
  const compared = builds.flatMap((spec, i) => {
    const [tag, dir] = spec.includes('=') ? spec.split('=', 2) : [`cmp${i + 1}`, spec];
    const distDir = resolve(dir);
    return scenarios
      .filter(s => s.module === 'ours' && !s.distDir)
      .map(s => ({
        ...s,
        name: `${s.name}@${tag}`,
        label: `${s.label} — build in ${dir}`,
        distDir,
        cfg: params => ({ ...(typeof s.cfg === 'function' ? s.cfg(params) : s.cfg), distDir }),
      }));
  });
  return [...scenarios, ...compared];
}

/** The config a scenario's children get for a run with these parameters. */
export function scenarioConfig(scenario, params) {
  const extra = typeof scenario.cfg === 'function' ? scenario.cfg(params) : scenario.cfg;
  return { module: scenario.module, ...extra, ...params };
}
