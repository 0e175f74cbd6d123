import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { CsrfGuard } from '../../common/http/csrf';
import { FoundationModule } from '../foundation/foundation.module';
import { FundsModule } from '../funds/funds.module';
import { NotificationsModule } from '../notifications/notifications.module';
import { AccessService } from './access.service';
import { AccountsController } from './accounts.controller';
import { AuthPagesController } from './auth-pages.controller';
import { AuthGuard } from './auth.guard';
import { ApiTokensRepository } from './repositories/api-tokens.repository';
import { OneTimeLinksRepository } from './repositories/one-time-links.repository';
import { SessionsRepository } from './repositories/sessions.repository';
import { UserAccessRepository } from './repositories/user-access.repository';
import { UsersRepository } from './repositories/users.repository';
import { AuthService } from './auth.service';
import { SessionRecordsService } from './session-records.service';
import { TokensService } from './tokens.service';
import { UsersService } from './users.service';

@Module({
  imports: [FoundationModule, FundsModule, NotificationsModule],
  controllers: [AccountsController, AuthPagesController],
  providers: [
    UsersRepository,
    UserAccessRepository,
    SessionsRepository,
    ApiTokensRepository,
    OneTimeLinksRepository,
    AccessService,
    AuthService,
    TokensService,
    UsersService,
    SessionRecordsService,
    // Order matters: CSRF first (cheap, no database), then identity and policy.
    { provide: APP_GUARD, useClass: CsrfGuard },
    { provide: APP_GUARD, useClass: AuthGuard },
  ],
  exports: [AuthService, TokensService, UsersService, SessionRecordsService],
})
export class AccountsModule {}
