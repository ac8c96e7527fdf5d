import { createTraceState } from '@opentelemetry/api';
import { extractTraceHeaders, injectTraceHeaders } from '../../../lib/otel/index.js';

describe('W3C trace headers', () => {
  const traceId = '0af7651916cd43dd8448eb211c80319c';
  const spanId = 'b7ad6b7169203331';

  describe(injectTraceHeaders, () => {
    it('should write traceparent with two-digit flags and tracestate when there is one', () => {
      const headers: Record<string, string> = { tracestate: 'stale=1', other: 'kept' };
      injectTraceHeaders({ traceId, spanId, traceFlags: 1, traceState: createTraceState('vendor=a') }, headers);
      expect(headers).toEqual({ traceparent: `00-${traceId}-${spanId}-01`, tracestate: 'vendor=a', other: 'kept' });
      injectTraceHeaders({ traceId, spanId, traceFlags: 0 }, headers);
      expect(headers).toEqual({ traceparent: `00-${traceId}-${spanId}-00`, other: 'kept' });
    });
  });

  describe(extractTraceHeaders, () => {
    it('should read a remote span context back', () => {
      const ctx = extractTraceHeaders({ traceparent: `00-${traceId}-${spanId}-01`, tracestate: 'vendor=a' });
      expect(ctx).toMatchObject({ traceId, spanId, traceFlags: 1, isRemote: true });
      expect(ctx?.traceState?.get('vendor')).toBe('a');
    });

    it('should ignore missing, malformed and all-zero trace parents', () => {
      expect(extractTraceHeaders({})).toBeUndefined();
      expect(extractTraceHeaders({ traceparent: 'garbage' })).toBeUndefined();
      expect(extractTraceHeaders({ traceparent: `01-${traceId}-${spanId}-01` })).toBeUndefined(); // unknown version
      expect(extractTraceHeaders({ traceparent: `00-${'0'.repeat(32)}-${spanId}-01` })).toBeUndefined();
    });
  });
});
