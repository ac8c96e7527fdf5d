import { tmpdir } from 'node:os';
import { join } from 'node:path';

const HELP = `npm run bench -- [options]
  --only=a,b          scenarios to run (names or prefixes: ioredis, nest-redis, streams-transporter, bullmq, ours)
  --messages=N        messages per throughput run (default 100000)
  --reps=N            repetitions, the median is reported (default 3)
  --window=N          producer sends in flight in throughput runs (default 1000)
  --rate=N            latency runs: msgs/s (default 2000)
  --latency-messages=N  measured messages per latency run (default 4000, after a warm-up of 500)
  --backlog=N         backlog scenario size (default 1000000; 0 = skip)
  --skip=a,b          phases to skip: throughput, latency, backlog, recording
  --no-build          do not run "npm run build" first
  --cpu-prof=a,b      run these scenarios' children under node --cpu-prof
  --prof-dir=DIR      where .cpuprofile files go (default: $TMPDIR/bench-profiles)
  --compare-dist=[tag=]DIR,…  also run every scenario of ours against each build (named <name>@<tag>)
  --out=DIR           results directory (default bench-results)
Environment: REDIS_URL (default redis://127.0.0.1:6379).`;

/** Parses `process.argv`; every option also reads `BENCH_<NAME>` from the environment. */
export function parseOptions(argv = process.argv.slice(2), env = process.env) {
  const raw = {};
  for (const arg of argv) {
    if (arg === '--help' || arg === '-h') {
      console.log(HELP);
      process.exit(0);
    }
    const m = /^--(no-)?([a-z-]+)(?:=(.*))?$/.exec(arg);
    if (!m) throw new Error(`Unknown argument "${arg}"\n${HELP}`);
    raw[m[2]] = m[1] ? false : (m[3] ?? true);
  }
  const get = (name, fallback) => raw[name] ?? env[`BENCH_${name.toUpperCase().replace(/-/g, '_')}`] ?? fallback;
  const int = (name, fallback) => {
    const v = Number(get(name, fallback));
    if (!Number.isInteger(v) || v < 0) throw new Error(`--${name} must be a non-negative integer`);
    return v;
  };
  const list = name => String(get(name, '') || '').split(',').map(s => s.trim()).filter(Boolean);
  const cpuProf = list('cpu-prof');
  return {
    only: list('only'),
    messages: int('messages', 100_000),
    reps: Math.max(1, int('reps', 3)),
    window: Math.max(1, int('window', 1000)),
    rate: Math.max(1, int('rate', 2000)),
    latencyMessages: int('latency-messages', 4000),
    latencyWarmup: int('latency-warmup', 500),
    backlog: int('backlog', 1_000_000),
    skip: new Set(list('skip')),
    build: get('build', true) !== false && get('build', true) !== 'false',
    cpuProf: cpuProf.length ? { targets: new Set(cpuProf), dir: String(get('prof-dir', join(tmpdir(), 'bench-profiles'))) } : undefined,
    out: String(get('out', 'bench-results')),
    compareDist: get('compare-dist', undefined),
  };
}

/** Scenarios selected by `--only` (exact names or name prefixes). */
export function selectScenarios(all, only) {
  if (!only.length) return all;
  return all.filter(s => only.some(o => s.name === o || s.name.startsWith(`${o}-`) || s.module === o));
}
