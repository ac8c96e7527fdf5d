import { jsonDepth } from '../../../sample/common/http/json-depth.js';

describe(jsonDepth.name, () => {
  it('should count nesting of arrays and objects, scalars being depth 0', () => {
    expect(jsonDepth(1)).toBe(0);
    expect(jsonDepth(null)).toBe(0);
    expect(jsonDepth({})).toBe(1);
    expect(jsonDepth({ a: [1, { b: [] }] })).toBe(4);
  });

  it('should stop early past the limit, without recursion, on very deep values', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 200_000; i++) deep = [deep];
    expect(jsonDepth(deep, 64)).toBe(65);
  });
});
