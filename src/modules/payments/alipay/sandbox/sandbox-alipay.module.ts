import { Module } from '@nestjs/common';
import { FoundationModule } from '../../../foundation/foundation.module';
import { SandboxWebhookTarget } from '../../sandbox/sandbox-webhooks';
import { SandboxAlipayController } from './sandbox-alipay.controller';
import { SandboxAlipayService } from './sandbox-alipay.service';

/** The sandbox's Alipay gateway and cashier; `SandboxAlipayService` gives the adapter's settings. */
@Module({
  imports: [FoundationModule],
  controllers: [SandboxAlipayController],
  providers: [SandboxWebhookTarget, SandboxAlipayService],
  exports: [SandboxAlipayService],
})
export class SandboxAlipayModule {}
