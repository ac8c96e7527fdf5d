import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

const LIB = resolve(__dirname, '../../../lib');
const OPTIONAL_PEERS = ['ajv', 'msgpackr', '@opentelemetry/api'];

/** Every module the entry point loads at run time (type-only imports are erased), with its bare imports. */
function runtimeImports(entry: string): Map<string, string[]> {
  const seen = new Map<string, string[]>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    const source = readFileSync(file, 'utf8');
    const bare: string[] = [];
    seen.set(file, bare);
    const re = /^(?:import|export)\s+(?!type\b)(?:[^'"]*?\sfrom\s+)?['"]([^'"]+)['"]/gm;
    for (const [, spec] of source.matchAll(re)) {
      if (spec.startsWith('.')) visit(join(dirname(file), spec.replace(/\.js$/, '.ts')));
      else bare.push(spec);
    }
  };
  visit(entry);
  return seen;
}

describe('optional peers', () => {
  it('should never be loaded by the root entry point', () => {
    const offenders = [...runtimeImports(join(LIB, 'index.ts'))].flatMap(([file, bare]) =>
      bare.filter(spec => OPTIONAL_PEERS.some(p => spec === p || spec.startsWith(`${p}/`))).map(spec => `${file.slice(LIB.length + 1)} → ${spec}`),
    );
    expect(offenders).toEqual([]);
  });

  it('should each be loaded by its own subpath only', () => {
    const peersOf = (entry: string) =>
      new Set([...runtimeImports(join(LIB, entry)).values()].flat().filter(spec => OPTIONAL_PEERS.some(p => spec === p || spec.startsWith(`${p}/`))));
    expect([...peersOf('msgpack/index.ts')]).toEqual(['msgpackr']);
    expect([...peersOf('ajv/index.ts')]).toEqual(['ajv/dist/2020.js']);
    expect([...peersOf('otel/index.ts')]).toEqual(['@opentelemetry/api']);
  });
});
