import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import path from 'node:path';
import type { EnvSchema } from './env.schema';

export type RunMode = 'embedded' | 'external';

/** Typed view over the validated environment; the rest of the app never reads process.env. */
@Injectable()
export class AppConfig {
  constructor(private readonly config: ConfigService<EnvSchema, true>) {}

  get nodeEnv(): EnvSchema['NODE_ENV'] {
    return this.config.get('NODE_ENV', { infer: true });
  }
  get port(): number {
    return this.config.get('PORT', { infer: true });
  }
  get host(): string {
    return this.config.get('HOST', { infer: true });
  }
  get dataDir(): string {
    return path.resolve(this.config.get('DATA_DIR', { infer: true }));
  }
  get databaseUrl(): string | undefined {
    return this.config.get('DATABASE_URL', { infer: true });
  }
  get databaseMode(): RunMode {
    return this.databaseUrl ? 'external' : 'embedded';
  }
  get databasePoolSize(): number {
    return this.config.get('DATABASE_POOL_SIZE', { infer: true });
  }
  get redisUrl(): string | undefined {
    return this.config.get('REDIS_URL', { infer: true });
  }
  get publicUrl(): string {
    return this.config.get('PUBLIC_URL', { infer: true }) ?? `http://localhost:${this.port}`;
  }
}
