/**
 * Summarizes a `node --cpu-prof` profile: the functions with the most self time, the files
 * (and packages) with the most self time, and the inclusive time of chosen functions.
 * `node test/bench/tools/cpuprofile-top.mjs <file.cpuprofile> [--top=30] [--focus=fn,fn] [--callers=fn,fn]`
 * (`--callers`: the stacks, 6 frames up, under which a function spends its self time;
 * `--skip-start=S`: ignore the first S seconds, e.g. module loading and Nest start-up)
 */
import { readFileSync } from 'node:fs';

const args = process.argv.slice(2);
const file = args.find(a => !a.startsWith('--'));
const top = Number(args.find(a => a.startsWith('--top='))?.slice(6) ?? 30);
const focus = (args.find(a => a.startsWith('--focus='))?.slice(8) ?? '').split(',').filter(Boolean);
const skipStart = Number(args.find(a => a.startsWith('--skip-start='))?.slice(13) ?? 0) * 1e6;
const callers = (args.find(a => a.startsWith('--callers='))?.slice(10) ?? '').split(',').filter(Boolean);
if (!file) {
  console.error('usage: cpuprofile-top.mjs <file.cpuprofile> [--top=N] [--focus=fn,fn]');
  process.exit(2);
}
const profile = JSON.parse(readFileSync(file, 'utf8'));
if (skipStart > 0) {
  // Drop the samples of the first `skipStart` µs: zero their time, keep the arrays aligned.
  let t = 0;
  profile.timeDeltas = profile.timeDeltas.map(d => ((t += d) < skipStart ? 0 : d));
}
const nodes = new Map(profile.nodes.map(n => [n.id, n]));
const parent = new Map();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

// Self time per node from samples × time deltas.
const self = new Map();
profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
const total = [...self.values()].reduce((a, b) => a + b, 0);
const idle = [...self].filter(([id]) => ['(idle)', '(program)'].includes(nodes.get(id).callFrame.functionName)).reduce((a, [, v]) => a + v, 0);

const where = cf => {
  const url = cf.url.replace(/^file:\/\//, '');
  const short = url.includes('node_modules/') ? url.slice(url.lastIndexOf('node_modules/') + 13) : url.replace(/^.*\/(dist|lib|test)\//, '$1/');
  return short ? `${short}:${cf.lineNumber + 1}` : '(native)';
};
const pkg = cf => {
  const url = cf.url;
  if (!url) return '(native/gc)';
  if (url.startsWith('node:')) return url;
  const m = /node_modules\/((@[^/]+\/)?[^/]+)/.exec(url.slice(url.lastIndexOf('node_modules/') - 1 >= 0 ? url.lastIndexOf('node_modules/') - 1 : 0));
  if (url.includes('node_modules/')) return m?.[1] ?? url;
  return url.replace(/^.*\/(dist|lib|test)\//, '$1/');
};

const byFn = new Map();
const byPkg = new Map();
for (const [id, t] of self) {
  const cf = nodes.get(id).callFrame;
  const key = `${cf.functionName || '(anonymous)'}  ${where(cf)}`;
  byFn.set(key, (byFn.get(key) ?? 0) + t);
  const p = pkg(cf);
  byPkg.set(p, (byPkg.get(p) ?? 0) + t);
}
const pctOf = t => `${((100 * t) / total).toFixed(1).padStart(5)} %`;
const busy = total - idle;
console.log(`${file}\nsampled ${(total / 1e6).toFixed(2)} s, busy (not idle/program) ${(busy / 1e6).toFixed(2)} s\n`);
console.log('Self time by function:');
for (const [k, t] of [...byFn].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${pctOf(t)}  ${k}`);
console.log('\nSelf time by package / file:');
for (const [k, t] of [...byPkg].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${pctOf(t)}  ${k}`);

if (focus.length) {
  // Inclusive time: a sample counts once for a function if it is anywhere on the sample's stack.
  console.log('\nInclusive time:');
  for (const name of focus) {
    let t = 0;
    profile.samples.forEach((id, i) => {
      for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
        if (nodes.get(cur).callFrame.functionName === name) {
          t += profile.timeDeltas[i] ?? 0;
          break;
        }
      }
    });
    console.log(`${pctOf(t)}  ${name}`);
  }
}

for (const name of callers) {
  const stacks = new Map();
  profile.samples.forEach((id, i) => {
    if (nodes.get(id).callFrame.functionName !== name) return;
    const frames = [];
    for (let cur = parent.get(id); cur !== undefined && frames.length < 6; cur = parent.get(cur)) {
      const cf = nodes.get(cur).callFrame;
      if (cf.functionName === '(root)') break;
      frames.push(`${cf.functionName || '(anonymous)'} ${where(cf)}`);
    }
    const key = frames.join('\n      ← ');
    stacks.set(key, (stacks.get(key) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  console.log(`\nCallers of ${name}:`);
  for (const [k, t] of [...stacks].sort((a, b) => b[1] - a[1]).slice(0, 5)) console.log(`${pctOf(t)}  ${k}`);
}
