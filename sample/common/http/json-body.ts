import type { NestExpressApplication } from '@nestjs/platform-express';
import type { HttpNext, HttpRequest, HttpResponse } from './http-types.js';
import { jsonDepth, MAX_JSON_DEPTH } from './json-depth.js';
import { MqErrorCode } from '../errors/mq-error-code.js';
import type { MqErrorBody } from '../errors/mq.exception.js';

/**
 * JSON bodies up to `limitBytes`. The body parser fails before any route or Nest filter runs,
 * so its errors are answered here, in the API's error format: too large → 413
 * MQ_PAYLOAD_TOO_LARGE, malformed or too deeply nested JSON → 400 MQ_VALIDATION_FAILED.
 * Call before `app.init()` / `listen()`, with Nest's own body parser off (`bodyParser: false`).
 */
export function useJsonBody(app: NestExpressApplication, limitBytes: number): void {
  app.useBodyParser('json', { limit: limitBytes });
  app.use((err: { type?: string; status?: number; limit?: number }, _req: HttpRequest, res: HttpResponse, next: HttpNext) => {
    if (!err) return next();
    let status = err.status ?? 400;
    let body: MqErrorBody;
    if (err.type === 'entity.too.large') {
      status = 413;
      body = { code: MqErrorCode.PAYLOAD_TOO_LARGE, message: `The request body is larger than ${limitBytes} bytes`, details: { limitBytes } };
    } else if (status < 500) {
      body = { code: MqErrorCode.VALIDATION_FAILED, message: err.type === 'entity.parse.failed' ? 'The body is not valid JSON' : 'The body could not be read' };
    } else {
      return next(err);
    }
    res.status(status).json(body);
  });
  app.use((req: HttpRequest & { body?: unknown }, res: HttpResponse, next: HttpNext) => {
    if (req.body === undefined || jsonDepth(req.body) <= MAX_JSON_DEPTH) return next();
    const body: MqErrorBody = {
      code: MqErrorCode.VALIDATION_FAILED,
      message: `The body is nested more than ${MAX_JSON_DEPTH} levels deep`,
      details: { maxDepth: MAX_JSON_DEPTH },
    };
    res.status(400).json(body);
  });
}
