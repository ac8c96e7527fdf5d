import { uuidV7Batch } from '../../../lib/persistence/uuid-v7.js';

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
