import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import ts from 'typescript';
import { ClientRedisStreams, redisStreamsClient, redisStreamsExtras } from '../../../lib/index.js';

const FIXTURE = resolve(__dirname, 'fixtures/typed-helpers.fixture.ts');

/** Type-checks the fixture with its `@ts-expect-error` markers removed, with the repo's compiler options. */
function compileWithoutMarkers(): { line: number; message: string }[] {
  const configPath = resolve(__dirname, '../../../tsconfig.json');
  const config = ts.parseJsonConfigFileContent(ts.readConfigFile(configPath, ts.sys.readFile).config, ts.sys, resolve(configPath, '..'));
  const options = { ...config.options, noEmit: true, noUnusedLocals: false };
  const host = ts.createCompilerHost(options);
  const original = readFileSync(FIXTURE, 'utf8');
  // Blank the marker lines instead of deleting them, so line numbers stay put.
  const source = original.replace(/^[ \t]*\/\/ @ts-expect-error.*$/gm, '');
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (fileName, languageVersion, ...rest) =>
    resolve(fileName) === FIXTURE
      ? ts.createSourceFile(fileName, source, languageVersion, true)
      : getSourceFile(fileName, languageVersion, ...rest);
  const program = ts.createProgram([FIXTURE], options, host);
  return ts
    .getPreEmitDiagnostics(program)
    .filter(d => d.file && resolve(d.file.fileName) === FIXTURE)
    .map(d => ({
      line: d.file!.getLineAndCharacterOfPosition(d.start ?? 0).line + 1,
      message: ts.flattenDiagnosticMessageText(d.messageText, '\n'),
    }));
}

/** 1-based line numbers of the lines right after each `@ts-expect-error` marker. */
function markedLines(): number[] {
  return readFileSync(FIXTURE, 'utf8')
    .split('\n')
    .flatMap((text, i) => (text.includes('// @ts-expect-error') ? [i + 2] : []));
}

describe('typed helpers', () => {
  describe('redisStreamsClient', () => {
    it('should build a ClientsModule entry for ClientRedisStreams with the given options', () => {
      const options = { prefix: 'mq', requestTimeoutMs: 5_000 };
      expect(redisStreamsClient('MQ', options)).toEqual({ name: 'MQ', customClass: ClientRedisStreams, options });
      expect(redisStreamsClient('MQ').options).toEqual({});
    });
  });

  describe('redisStreamsExtras', () => {
    it('should return the extras unchanged', () => {
      const extras = { group: 'billing', retry: { maxAttempts: 3 } };
      expect(redisStreamsExtras(extras)).toBe(extras);
    });
  });

  describe('type checking', () => {
    it('should compile correct options and reject every misspelt or mistyped one', () => {
      // Errors exactly on the marked lines: so the fixture as written compiles (`tsc --noEmit` checks it too).
      const errors = compileWithoutMarkers();
      expect([...new Set(errors.map(e => e.line))].sort((a, b) => a - b)).toEqual(markedLines());
      const text = errors.map(e => e.message).join('\n');
      for (const typo of ['retyr', 'maxAttempt', 'conection']) expect(text).toContain(`'${typo}'`);
      expect(text).toMatch(/'string' is not assignable to type 'number'/);
    });
  });
});
