import { randomMessageId } from '../../../lib/client/message-id.js';

describe('randomMessageId', () => {
  it('should make version 4 UUIDs in their canonical text form', () => {
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
    for (let i = 0; i < 2_000; i++) expect(randomMessageId()).toMatch(uuid);
  });

  it('should not repeat across many refills of its random pool', () => {
    const ids = new Set<string>();
    for (let i = 0; i < 100_000; i++) ids.add(randomMessageId());
    expect(ids.size).toBe(100_000);
  });

  it('should use every hex digit in every random position', () => {
    const seen = Array.from({ length: 36 }, () => new Set<string>());
    for (let i = 0; i < 5_000; i++) [...randomMessageId()].forEach((ch, at) => seen[at].add(ch));
    const fixed = new Map([[8, 1], [13, 1], [14, 1], [18, 1], [19, 4], [23, 1]]); // dashes, version, variant
    seen.forEach((chars, at) => expect(chars.size).toBe(fixed.get(at) ?? 16));
  });
});
