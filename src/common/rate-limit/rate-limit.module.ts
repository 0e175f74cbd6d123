import { Global, Module } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { MemoryRateLimiter } from './memory-rate-limiter';
import { RateLimiter } from './rate-limiter';
import { RedisRateLimiter } from './redis-rate-limiter';

/**
 * The one RateLimiter of the process: shared through Redis when REDIS_URL is set (several web
 * processes count together), in memory in embedded mode (one process).
 */
@Global()
@Module({
  providers: [
    {
      provide: RateLimiter,
      useFactory: (config: AppConfig): RateLimiter =>
        config.redisUrl
          ? new RedisRateLimiter({ url: config.redisUrl, prefix: config.queue.prefix })
          : new MemoryRateLimiter(),
      inject: [AppConfig],
    },
  ],
  exports: [RateLimiter],
})
export class RateLimitModule {}
