import { QUEUE_NAME_PATTERN, queueNameOf, TENANT_ID_PATTERN, tenantOf, topicOf } from '../../../sample/common/tenancy/topic-names.js';

describe('tenancy scheme', () => {
  it('should map a queue to <tenant>.<name> and back, dots in the name included', () => {
    const topic = topicOf('acme', 'orders.created');
    expect(topic).toBe('acme.orders.created');
    expect(tenantOf(topic)).toBe('acme');
    expect(queueNameOf(topic)).toBe('orders.created');
  });

  it('should keep tenants apart: a tenant id has no dot, so no two tenants can name the same topic', () => {
    expect(TENANT_ID_PATTERN.test('acme')).toBe(true);
    expect(TENANT_ID_PATTERN.test('acme.orders')).toBe(false);
    expect(TENANT_ID_PATTERN.test('')).toBe(false);
    expect(QUEUE_NAME_PATTERN.test('orders.created')).toBe(true);
    for (const bad of ['Orders', '.orders', 'a b', 'a{b}', 'a:b', '']) expect(QUEUE_NAME_PATTERN.test(bad)).toBe(false);
  });
});
