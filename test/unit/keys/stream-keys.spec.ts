import { StreamKeys } from '../../../lib/keys/stream-keys.js';

describe('StreamKeys', () => {
  const keys = new StreamKeys('mq');

  it('should build the key map of the spec', () => {
    expect(keys.stream('order.created')).toBe('mq:{order.created}');
    expect(keys.delayed('order.created')).toBe('mq:{order.created}:delayed');
    expect(keys.deadLetter('order.created')).toBe('mq:{order.created}:dlq');
  });

  it('should give every key of a topic the same hash tag', () => {
    const tag = (key: string) => key.slice(key.indexOf('{') + 1, key.indexOf('}'));
    const all = [
      keys.stream('a.b'), keys.delayed('a.b'), keys.deadLetter('a.b'), keys.retry('a.b', 'g'), keys.failures('a.b', 'g'),
    ];
    expect(new Set(all.map(tag))).toEqual(new Set(['a.b']));
  });

  it('should read the topic back from a stream key', () => {
    expect(keys.topicOf('mq:{order.created}')).toBe('order.created');
    expect(keys.topicOf('other:{x}')).toBeUndefined();
  });

  it('should reject a prefix with braces', () => {
    expect(() => new StreamKeys('a{b')).toThrow(/Invalid key prefix/);
    expect(() => new StreamKeys('')).toThrow(/Invalid key prefix/);
  });
});
