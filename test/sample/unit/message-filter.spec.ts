import { matchesFilter } from '../../../sample/subscriptions/message-filter.js';

describe(matchesFilter.name, () => {
  const data = { order: { country: 'DE', priority: 1, express: false, note: null }, total: 10 };
  const headers = { 'x-region': 'eu', 'x-tenant-id': 't1' };

  it('should let everything through without a filter or with an empty one', () => {
    expect(matchesFilter(null, data, headers)).toBe(true);
    expect(matchesFilter({}, data, headers)).toBe(true);
  });

  it('should require every header and payload field to be equal', () => {
    expect(matchesFilter({ headers: { 'x-region': 'eu' }, payload: { 'order.country': 'DE', total: 10 } }, data, headers)).toBe(true);
    expect(matchesFilter({ headers: { 'x-region': 'us' } }, data, headers)).toBe(false);
    expect(matchesFilter({ payload: { 'order.country': 'FR' } }, data, headers)).toBe(false);
  });

  it('should compare without coercion, null and booleans included', () => {
    expect(matchesFilter({ payload: { 'order.priority': '1' } }, data, headers)).toBe(false);
    expect(matchesFilter({ payload: { 'order.express': false, 'order.note': null } }, data, headers)).toBe(true);
  });

  it('should not match missing paths, non-object payloads or inherited properties', () => {
    expect(matchesFilter({ payload: { 'order.missing': null } }, data, headers)).toBe(false);
    expect(matchesFilter({ payload: { 'order.country.x': 'D' } }, data, headers)).toBe(false);
    expect(matchesFilter({ payload: { a: 1 } }, 'text', headers)).toBe(false);
    expect(matchesFilter({ payload: { 'order.constructor': 'x' } }, data, headers)).toBe(false);
    expect(matchesFilter({ headers: { 'x-missing': 'v' } }, data, headers)).toBe(false);
  });
});
