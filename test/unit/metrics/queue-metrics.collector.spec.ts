import { ageSeconds } from '../../../lib/metrics/queue-metrics.collector.js';

describe('QueueMetricsCollector', () => {
  describe(ageSeconds.name, () => {
    it('should read the age of a stream entry from the time part of its id', () => {
      expect(ageSeconds('1000-5', 61_000)).toBe(60);
    });

    it('should be 0 without an entry, for a malformed id, or for an id from the future', () => {
      expect(ageSeconds(undefined, 1_000)).toBe(0);
      expect(ageSeconds('nope', 1_000)).toBe(0);
      expect(ageSeconds('5000-0', 1_000)).toBe(0);
    });
  });
});
