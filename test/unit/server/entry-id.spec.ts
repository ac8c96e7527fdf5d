import { compareEntryIds, laterEntryId } from '../../../lib/server/entry-id.js';

describe('compareEntryIds', () => {
  it('should order by milliseconds, then by sequence', () => {
    expect(compareEntryIds('1-0', '2-0')).toBeLessThan(0);
    expect(compareEntryIds('10-0', '9-5')).toBeGreaterThan(0);
    expect(compareEntryIds('5-2', '5-10')).toBeLessThan(0);
    expect(compareEntryIds('5-3', '5-3')).toBe(0);
  });

  it('should read a bare millisecond id as sequence 0', () => {
    expect(compareEntryIds('7', '7-0')).toBe(0);
    expect(compareEntryIds('0', '0-1')).toBeLessThan(0);
  });

  it('should stay exact beyond 2^53', () => {
    expect(compareEntryIds('1-18446744073709551614', '1-18446744073709551615')).toBeLessThan(0);
  });
});

describe('laterEntryId', () => {
  it('should return the later of two ids', () => {
    expect(laterEntryId('1-5', '1-4')).toBe('1-5');
    expect(laterEntryId('0-0', '1700000000000-0')).toBe('1700000000000-0');
  });
});
