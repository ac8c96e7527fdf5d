import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { serviceVersion } from '../../observability/service-info.js';

/** Where the OpenAPI UI is served (the JSON is at `<path>-json`). */
export const OPENAPI_PATH = 'api/docs';

/** OpenAPI document of every HTTP endpoint, served at `/api/docs`. */
export function setupSwagger(app: INestApplication): void {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Message queue service')
      .setDescription(
        'Admin API of the platform message-queue service (Redis Streams). Errors are `{ code, message, details? }`. ' +
          'Admin endpoints take a bearer JWT (HS256, or RS256 / ES256 when configured) with `sub`, `tenant_id`, `roles` and `exp`; ' +
          'the internal API takes `X-Service-Token`. Per-tenant rates answer 429 MQ_RATE_LIMITED with `Retry-After`.',
      )
      .setVersion(serviceVersion())
      .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' })
      .addApiKey({ type: 'apiKey', in: 'header', name: 'X-Service-Token' }, 'service-token')
      .build(),
  );
  SwaggerModule.setup(OPENAPI_PATH, app, document);
}
