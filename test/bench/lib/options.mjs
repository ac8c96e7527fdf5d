import { tmpdir } from 'node:os';
import { join } from 'node:path';

const HELP = `npm run bench -- [options]     (--name=value or --name value)
  --scenario=NAME     what to run (default peers):
                        peers        every peer on one hot topic, then backlog and recording
                        hot-topic    issue 9's hot-topic run: ioredis-1000, nest-redis, ours-default
                                     (and ours-bare: the same without Nest's per-message pipeline),
                                     50000 messages, 3 interleaved rounds, throughput only, with
                                     per-round ratios and consumer CPU µs/msg (flags below override)
                        many-topics  one consumer on --topics topics and on 1 topic × --groups groups,
                                     ours, BullMQ and Nest Transport.REDIS (idle only), on a
                                     private redis-server
                        issue9       many-topics, then hot-topic
                        payloads     cost of each payload feature (json vs msgpack, gzip, brotli,
                                     AES-256-GCM, tracing with the OpenTelemetry SDK) at 256 B and
                                     64 KiB, ours only (also a phase of peers: --skip=payloads)
  --dist=DIR          load ours from this build (e.g. a worktree's dist/) instead of dist/; implies --no-build
  --ioredis=DIR       the children import ioredis from DIR (e.g. made by npm install --prefix DIR ioredis@5)
                      instead of this repository's; ESM imports only (Nest's Transport.REDIS keeps its own)
  --only=a,b          scenarios to run (names or prefixes: ioredis, nest-redis, streams-transporter, bullmq, ours)
  --messages=N        messages per throughput run (default 100000)
  --reps=N            repetitions, the median is reported (default 3)
  --window=N          producer sends in flight in throughput runs (default 1000)
  --warmup=N          throughput runs: messages sent and handled before the measured window,
                      which then sees warm processes (JIT done) (default 0; hot-topic 10000)
  --rate=N            latency runs: msgs/s (default 2000)
  --latency-messages=N  measured messages per latency run (default 4000, after a warm-up of 500)
  --backlog=N         backlog scenario size (default 1000000; 0 = skip)
  --skip=a,b          phases to skip: throughput, latency, backlog, recording, outbox, payloads
  --no-build          do not run "npm run build" first
  --cpu-prof=a,b      run these scenarios' children under node --cpu-prof
  --prof-dir=DIR      where .cpuprofile files go (default: $TMPDIR/bench-profiles)
  --compare-dist=[tag=]DIR,…  also run every scenario of ours against each build (named <name>@<tag>)
  --out=DIR           results directory (default bench-results)
many-topics:
  --topics=N          topics of the many-topics case (default 1000)
  --groups=N          groups of the one-topic case (default 200)
  --systems=a,b       ours, bullmq, nest-redis (idle cost only) (default all)
  --shapes=a,b        topics, groups (default both)
  --idle-ms=N         idle measuring window (default 10000), after --settle-ms=N (default 3000)
  --per-topic=N       traffic: messages per topic (default 10)
  --group-messages=N  traffic of the one-topic case: messages, each handled by every group (default 50)
  --subscribe=MODE    sequential (default: one awaited after the other) or parallel (all at once)
Environment: REDIS_URL (default redis://127.0.0.1:6379); every option also as BENCH_<NAME>.`;

/** Options that take no value (`--name` / `--no-name`), so `--name value` is never read for them. */
const FLAGS = new Set(['build', 'help']);

/** `--name=value`, `--name value` and `--no-name`, as `[prefix, name, value]` matches. */
function tokens(argv) {
  const out = [];
  for (let i = 0; i < argv.length; i++) {
    const m = /^--(no-)?([a-z0-9-]+)(?:=(.*))?$/.exec(argv[i]);
    if (m && !m[1] && m[3] === undefined && !FLAGS.has(m[2]) && i + 1 < argv.length && !argv[i + 1].startsWith('--')) {
      m[3] = argv[++i];
    }
    out.push([argv[i], m]);
  }
  return out;
}

/** Defaults each `--scenario` changes (explicit flags still win). */
const PRESETS = {
  'hot-topic': { only: 'ioredis-1000,nest-redis,ours-default,ours-bare', messages: 50_000, warmup: 10_000, reps: 3, skip: 'latency,backlog,recording,outbox,payloads' },
};
PRESETS.issue9 = PRESETS['hot-topic'];
const SCENARIOS = new Set(['peers', 'hot-topic', 'many-topics', 'issue9', 'payloads']);

/** Parses `process.argv`; every option also reads `BENCH_<NAME>` from the environment. */
export function parseOptions(argv = process.argv.slice(2), env = process.env) {
  const raw = {};
  for (const [arg, m] of tokens(argv)) {
    if (arg === '--help' || arg === '-h') {
      console.log(HELP);
      process.exit(0);
    }
    if (!m) throw new Error(`Unknown argument "${arg}"\n${HELP}`);
    raw[m[2]] = m[1] ? false : (m[3] ?? true);
  }
  const fromEnv = name => env[`BENCH_${name.toUpperCase().replace(/-/g, '_')}`];
  const scenario = String(raw.scenario ?? fromEnv('scenario') ?? 'peers');
  if (!SCENARIOS.has(scenario)) throw new Error(`--scenario must be one of ${[...SCENARIOS].join(', ')}`);
  const preset = PRESETS[scenario] ?? {};
  const get = (name, fallback) => raw[name] ?? fromEnv(name) ?? preset[name] ?? fallback;
  const int = (name, fallback) => {
    const v = Number(get(name, fallback));
    if (!Number.isInteger(v) || v < 0) throw new Error(`--${name} must be a non-negative integer`);
    return v;
  };
  const list = name => String(get(name, '') || '').split(',').map(s => s.trim()).filter(Boolean);
  const pick = (name, allowed) => {
    const chosen = list(name);
    const bad = chosen.filter(v => !allowed.includes(v));
    if (bad.length) throw new Error(`--${name}: unknown ${bad.join(', ')} (one of ${allowed.join(', ')})`);
    return chosen.length ? chosen : allowed;
  };
  const cpuProf = list('cpu-prof');
  const dist = get('dist', undefined);
  const ioredis = get('ioredis', undefined);
  return {
    scenario,
    /** The peers phases (throughput, latency, backlog, recording) run. */
    peers: scenario !== 'many-topics' && scenario !== 'payloads',
    /** Only the payload-features phase runs. */
    payloads: scenario === 'payloads',
    manyTopics: scenario === 'many-topics' || scenario === 'issue9',
    /** Issue 9's per-round hot-topic summary is printed. */
    hotTopic: scenario === 'hot-topic' || scenario === 'issue9',
    dist: typeof dist === 'string' ? dist : undefined,
    ioredis: typeof ioredis === 'string' ? ioredis : undefined,
    only: list('only'),
    messages: int('messages', 100_000),
    reps: Math.max(1, int('reps', 3)),
    window: Math.max(1, int('window', 1000)),
    warmup: int('warmup', 0),
    rate: Math.max(1, int('rate', 2000)),
    latencyMessages: int('latency-messages', 4000),
    latencyWarmup: int('latency-warmup', 500),
    backlog: int('backlog', 1_000_000),
    skip: new Set(list('skip')),
    build: !dist && get('build', true) !== false && get('build', true) !== 'false',
    cpuProf: cpuProf.length ? { targets: new Set(cpuProf), dir: String(get('prof-dir', join(tmpdir(), 'bench-profiles'))) } : undefined,
    out: String(get('out', 'bench-results')),
    compareDist: get('compare-dist', undefined),
    topics: Math.max(1, int('topics', 1000)),
    groups: Math.max(1, int('groups', 200)),
    systems: pick('systems', ['ours', 'bullmq', 'nest-redis']),
    shapes: pick('shapes', ['topics', 'groups']),
    idleMs: Math.max(1000, int('idle-ms', 10_000)),
    settleMs: int('settle-ms', 3000),
    perTopic: Math.max(1, int('per-topic', 10)),
    groupMessages: Math.max(1, int('group-messages', 50)),
    subscribe: pick('subscribe', ['sequential', 'parallel'])[0],
  };
}

/** Scenarios selected by `--only` (exact names or name prefixes). */
export function selectScenarios(all, only) {
  // Diagnostic peers run only when named: `--only=ours` or the default run leave them out.
  if (!only.length) return all.filter(s => !s.diagnostic);
  return all.filter(s => only.includes(s.name) || (!s.diagnostic && only.some(o => s.name.startsWith(`${o}-`) || s.module === o)));
}
