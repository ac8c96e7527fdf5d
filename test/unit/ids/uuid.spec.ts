import { randomUuid, uuidV7Batch } from '../../../lib/ids/uuid.js';

describe('randomUuid', () => {
  it('should make version 4 UUIDs in their canonical text form', () => {
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
    for (let i = 0; i < 2_000; i++) expect(randomUuid()).toMatch(uuid);
  });

  it('should not repeat across many refills of its random pool', () => {
    const ids = new Set<string>();
    for (let i = 0; i < 100_000; i++) ids.add(randomUuid());
    expect(ids.size).toBe(100_000);
  });

  it('should use every hex digit in every random position', () => {
    const seen = Array.from({ length: 36 }, () => new Set<string>());
    for (let i = 0; i < 5_000; i++) [...randomUuid()].forEach((ch, at) => seen[at].add(ch));
    const fixed = new Map([[8, 1], [13, 1], [14, 1], [18, 1], [19, 4], [23, 1]]); // dashes, version, variant
    seen.forEach((chars, at) => expect(chars.size).toBe(fixed.get(at) ?? 16));
  });
});

describe('uuidV7Batch', () => {
  it('should make distinct RFC 9562 version 7 UUIDs carrying the given time first', () => {
    const ms = 0x018f_3a2b_4c5d;
    const ids = uuidV7Batch(1_000, ms);
    expect(new Set(ids).size).toBe(1_000);
    for (const id of ids) {
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(parseInt(id.replace(/-/g, '').slice(0, 12), 16)).toBe(ms);
    }
  });

  it('should sort ids of a later millisecond after those of an earlier one', () => {
    const [earlier] = uuidV7Batch(1, 1_795_000_000_000);
    const [later] = uuidV7Batch(1, 1_795_000_000_001);
    expect(later > earlier).toBe(true);
  });

  it('should make an empty batch', () => {
    expect(uuidV7Batch(0)).toEqual([]);
  });
});
