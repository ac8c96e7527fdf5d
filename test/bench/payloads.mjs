/**
 * Cost of each payload feature — codec, compression, encryption, tracing with a real SDK — side by
 * side in one run, at 256 B and 64 KiB payloads. Each case: one client and one server in this
 * process (no Nest app), `messages` emits with a window in flight, end to end until the last one
 * was handled. Reports msgs/s and this process's CPU µs/msg (producer + consumer together), plus
 * the pipeline alone (encode and decode in a loop, no Redis): the feature's own cost.
 *
 * `npm run bench -- --scenario=payloads` (or this file directly: `node test/bench/payloads.mjs`).
 */
import { randomBytes } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { lastValueFrom } from 'rxjs';
import { oursEntryUrl } from './lib/ours-build.mjs';
import { redisUrl } from './lib/redis-url.mjs';

const SIZES = [
  { label: '256 B', bytes: 256, messages: 20_000, pipelineLoops: 20_000 },
  { label: '64 KiB', bytes: 64 * 1024, messages: 2_000, pipelineLoops: 1_000 },
];

/** JSON of about `bytes` bytes that compresses like real documents (repeated words, numbers). */
function makePayload(bytes, seq) {
  const words = ['order', 'created', 'tenant', 'sku', 'quantity', 'price', 'currency', 'EUR', 'shipping', 'address'];
  const items = [];
  let size = 60;
  for (let i = 0; size < bytes; i++) {
    const item = { sku: `${words[i % 10]}-${(i * 7919) % 10007}`, qty: (i % 5) + 1, price: ((i * 31) % 1000) / 10 };
    items.push(item);
    size += JSON.stringify(item).length + 1;
  }
  return { seq, type: 'order.created', items };
}

async function loadFeatures(cfg) {
  const root = await import(oursEntryUrl(cfg));
  const msgpack = await import(oursEntryUrl(cfg, 'msgpack'));
  const otel = await import(oursEntryUrl(cfg, 'otel'));
  const { BasicTracerProvider, BatchSpanProcessor } = await import('@opentelemetry/sdk-trace-base');
  // A real SDK pipeline (sampler, span processor, batching) whose exporter drops the spans.
  const exporter = { export: (_spans, done) => done({ code: 0 }), shutdown: async () => undefined };
  const provider = new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(exporter, { maxQueueSize: 65_536, maxExportBatchSize: 4_096 })] });
  const keys = root.payloadKeyRing({ current: 'k1', keys: { k1: randomBytes(32) } });
  const tracing = otel.otelTracing({ tracerProvider: provider });
  const codec = msgpack.msgpackCodec();
  /** name → [client options, server options] */
  const features = [
    ['json (all off)', {}, {}],
    ['msgpack', { payload: { codec } }, { payload: { codecs: [codec] } }],
    ['gzip', { payload: { compression: { algorithm: 'gzip', thresholdBytes: 0 } } }, {}],
    ['brotli', { payload: { compression: { algorithm: 'br', thresholdBytes: 0 } } }, {}],
    ['aes-256-gcm', { payload: { keys } }, { payload: { keys } }],
    ['tracing (SDK)', { tracing }, { tracing }],
    [
      'all: msgpack+gzip+aes+tracing',
      { payload: { codec, keys, compression: { algorithm: 'gzip', thresholdBytes: 0 } }, tracing },
      { payload: { codecs: [codec], keys }, tracing },
    ],
  ];
  return { root, features, provider };
}

async function runCase(root, connection, clientOptions, serverOptions, size, topic) {
  const prefix = `bench-pl-${randomBytes(4).toString('hex')}`;
  const server = new root.ServerRedisStreams({ connection, prefix, ...serverOptions });
  await new Promise((resolve, reject) => server.listen(err => (err ? reject(err) : resolve())));
  let handled = 0;
  let done;
  const finished = new Promise(resolve => (done = resolve));
  await server.subscribe(topic, () => {
    if (++handled === size.messages) done();
  }, { group: 'g', concurrency: 50 });
  const client = new root.ClientRedisStreams({ connection, prefix, ...clientOptions });
  await client.connect();
  const payloads = Array.from({ length: 16 }, (_, i) => makePayload(size.bytes, i));
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const window = size.bytes > 4096 ? 50 : 500;
  let sent = 0;
  const worker = async () => {
    while (sent < size.messages) {
      sent++;
      await lastValueFrom(client.emit(topic, payloads[sent % 16]));
    }
  };
  await Promise.all(Array.from({ length: window }, worker));
  await finished;
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  await server.close();
  await client.unwrap().eval("for _, k in ipairs(redis.call('KEYS', ARGV[1] .. '*')) do redis.call('DEL', k) end return 0", 0, prefix);
  await client.close();
  return { msgsPerSec: size.messages / seconds, cpuUsPerMsg: (cpu.user + cpu.system) / size.messages };
}

/**
 * The pipeline alone, no Redis: CPU µs per encode (client side) and per decode (server side), and
 * the stored size of the entry's data. `undefined` for tracing-only cases (no payload pipeline).
 */
async function pipelineCost(cfg, size, clientOptions, serverOptions) {
  if (!clientOptions.payload && clientOptions.tracing) return undefined;
  const dir = new URL('.', oursEntryUrl(cfg)).href;
  const { PayloadPipeline } = await import(new URL('payload/payload-pipeline.js', dir).href);
  const encoder = new PayloadPipeline(clientOptions.payload ?? {});
  const decoder = new PayloadPipeline(serverOptions.payload ?? {});
  const payload = makePayload(size.bytes, 1);
  const loops = size.pipelineLoops;
  let encoded;
  let c0 = process.cpuUsage();
  for (let i = 0; i < loops; i++) encoded = encoder.encode('t', `m${i}`, payload);
  const encodeUs = cpuUs(process.cpuUsage(c0)) / loops;
  const samples = Array.from({ length: 16 }, (_, i) => encoder.encode('t', `m${i}`, payload));
  c0 = process.cpuUsage();
  for (let i = 0; i < loops; i++) {
    const e = samples[i % 16];
    if (e.format) decoder.decode('t', `m${i % 16}`, e.data, e.format);
    else JSON.parse(e.data);
  }
  const decodeUs = cpuUs(process.cpuUsage(c0)) / loops;
  return { encodeUs, decodeUs, storedBytes: encoded.data.length };
}

const cpuUs = u => u.user + u.system;

/** Runs every feature at every size; returns rows `{ size, feature, msgsPerSec, cpuUsPerMsg, vsJson }`. */
export async function runPayloads({ cfg, reps = 1, log = console.log } = {}) {
  const connection = { url: redisUrl() };
  const { root, features, provider } = await loadFeatures(cfg);
  const rows = [];
  for (const size of SIZES) {
    const byFeature = new Map(features.map(([name]) => [name, []]));
    // Warm-up (JIT, connections, Redis memory), not reported.
    await runCase(root, connection, {}, {}, { ...size, messages: Math.ceil(size.messages / 4) }, `pl-${size.bytes}`);
    for (let rep = 0; rep < reps; rep++) {
      // Interleaved: each round starts one feature later, so none always runs first.
      const k = rep % features.length;
      for (const [name, clientOptions, serverOptions] of [...features.slice(k), ...features.slice(0, k)]) {
        const r = await runCase(root, connection, clientOptions, serverOptions, size, `pl-${size.bytes}`);
        if (rep === 0) r.pipeline = await pipelineCost(cfg, size, clientOptions, serverOptions);
        byFeature.get(name).push(r);
        log(`[payloads ${size.label} ${rep + 1}/${reps}] ${name.padEnd(30)} ${Math.round(r.msgsPerSec).toLocaleString('en-US')} msg/s, ${r.cpuUsPerMsg.toFixed(1)} CPU µs/msg`);
      }
    }
    const median = xs => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const base = byFeature.get(features[0][0]);
    const baseRate = median(base.map(r => r.msgsPerSec));
    const baseCpu = median(base.map(r => r.cpuUsPerMsg));
    for (const [name] of features) {
      const runs = byFeature.get(name);
      const msgsPerSec = median(runs.map(r => r.msgsPerSec));
      const cpuUsPerMsg = median(runs.map(r => r.cpuUsPerMsg));
      const pipeline = runs.find(r => r.pipeline)?.pipeline;
      rows.push({ size: size.label, feature: name, msgsPerSec, cpuUsPerMsg, rateVsJson: msgsPerSec / baseRate, extraCpuUs: cpuUsPerMsg - baseCpu, pipeline });
    }
  }
  await provider.shutdown();
  return rows;
}

/** Markdown table of `runPayloads` rows. */
export function formatPayloads(rows) {
  const head =
    '| payload | feature | msgs/s | × json | CPU µs/msg | + µs/msg vs json | encode µs | decode µs | stored bytes |\n|---|---|--:|--:|--:|--:|--:|--:|--:|';
  const p = (r, k) => (r.pipeline ? r.pipeline[k].toFixed(k === 'storedBytes' ? 0 : 1) : '—');
  const lines = rows.map(
    r =>
      `| ${r.size} | ${r.feature} | ${Math.round(r.msgsPerSec).toLocaleString('en-US')} | ${r.rateVsJson.toFixed(2)} | ${r.cpuUsPerMsg.toFixed(1)} | ${r.extraCpuUs >= 0 ? '+' : ''}${r.extraCpuUs.toFixed(1)} | ${p(r, 'encodeUs')} | ${p(r, 'decodeUs')} | ${p(r, 'storedBytes')} |`,
  );
  return `${head}\n${lines.join('\n')}\nmsgs/s and CPU µs/msg end to end (one process: producer and consumer together, real Redis); encode/decode µs: the payload pipeline alone, no Redis. Compression with threshold 0 (the default 1 KiB leaves 256 B payloads uncompressed).`;
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const reps = Number(process.env.BENCH_REPS ?? 1);
  const rows = await runPayloads({ reps });
  console.log(`\n${formatPayloads(rows)}`);
  process.exit(0);
}
