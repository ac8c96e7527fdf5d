import { Controller, Get, Res, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { PrometheusController } from '@willsoto/nestjs-prometheus';
import type { HttpResponse } from '../common/http/http-types.js';
import { MetricsTokenGuard } from '../auth/metrics-token.guard.js';

/** Prometheus text at `/metrics` (path set by `PrometheusModule`), behind `METRICS_TOKEN` when set. */
@ApiExcludeController()
@Controller()
@UseGuards(MetricsTokenGuard)
export class GuardedPrometheusController extends PrometheusController {
  @Get()
  override async index(@Res({ passthrough: true }) response: HttpResponse): Promise<string> {
    return super.index(response);
  }
}
