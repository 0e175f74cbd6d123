import { Injectable } from '@nestjs/common';
import { NotFoundError } from '../../common/errors';
import { safeEqual } from '../../common/secrets';
import { AppConfig } from '../../config/app-config';
import { Metrics } from './metrics.service';

export interface MetricsAnswer {
  status: 200 | 401;
  headers: Record<string, string>;
  body: string;
}

/**
 * Who may read the metrics, and the answer. METRICS_TOKEN set: a scrape must send it as
 * `Authorization: Bearer …` (401 otherwise). METRICS_PORT set: the metrics are served only by the
 * internal listener on METRICS_HOST, and the main port's /metrics does not exist. Neither set:
 * open outside production (a developer's machine), and absent in production (404).
 */
@Injectable()
export class MetricsEndpoint {
  constructor(
    private readonly metrics: Metrics,
    private readonly config: AppConfig,
  ) {}

  /** Whether the main port serves /metrics (else it is a 404 like any unknown path). */
  get servedOnMainPort(): boolean {
    const { token, port } = this.config.metrics;
    if (port !== undefined) return false;
    return token !== undefined || this.config.nodeEnv !== 'production';
  }

  /** The answer to a scrape on the main port; throws NotFoundError where it is not served. */
  async onMainPort(authorization: string | undefined): Promise<MetricsAnswer> {
    if (!this.servedOnMainPort) throw new NotFoundError();
    return this.answer(authorization);
  }

  /** The answer to a scrape: 401 without the token when one is configured, else the metrics. */
  async answer(authorization: string | undefined): Promise<MetricsAnswer> {
    const { token } = this.config.metrics;
    if (token !== undefined && !safeEqual(authorization ?? '', `Bearer ${token}`)) {
      return {
        status: 401,
        headers: { 'www-authenticate': 'Bearer realm="metrics"', 'content-type': 'text/plain' },
        body: 'Send the metrics token: Authorization: Bearer <METRICS_TOKEN>\n',
      };
    }
    return {
      status: 200,
      headers: { 'content-type': this.metrics.registry.contentType, 'cache-control': 'no-store' },
      body: await this.metrics.registry.metrics(),
    };
  }
}
