import { Module } from '@nestjs/common';
import { DonationsModule } from '../donations/donations.module';
import { HealthController } from './health.controller';
import { HealthService } from './health.service';

@Module({
  imports: [DonationsModule],
  controllers: [HealthController],
  providers: [HealthService],
  exports: [HealthService],
})
export class HealthModule {}
