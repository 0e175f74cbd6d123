import { Module } from '@nestjs/common';

/**
 * Personal data (PIPL): erasure requests and pseudonymisation, the donor's access download, and
 * the retention job. It reads and changes other modules' data only through their services.
 */
@Module({
  imports: [],
  providers: [],
  exports: [],
})
export class PrivacyModule {}
