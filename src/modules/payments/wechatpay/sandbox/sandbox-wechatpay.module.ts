import { Module } from '@nestjs/common';
import { FoundationModule } from '../../../foundation/foundation.module';
import { SandboxWebhookTarget } from '../../sandbox/sandbox-webhooks';
import { SandboxWechatPayController } from './sandbox-wechatpay.controller';
import { SandboxWechatPayService } from './sandbox-wechatpay.service';

/** The sandbox's WeChat Pay platform and cashier; `SandboxWechatPayService` gives the adapter's settings. */
@Module({
  imports: [FoundationModule],
  controllers: [SandboxWechatPayController],
  providers: [SandboxWebhookTarget, SandboxWechatPayService],
  exports: [SandboxWechatPayService],
})
export class SandboxWechatPayModule {}
