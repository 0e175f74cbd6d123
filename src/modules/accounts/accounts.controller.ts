import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  Patch,
  Post,
  Query,
  Req,
} from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Allow, Authenticated } from '../../common/auth/policy.decorator';
import { PageQueryDto } from '../../common/http/pagination.dto';
import { uuidPipe } from '../../common/http/validation';
import { type AuthenticatedRequest } from './auth.guard';
import { InviteUserDto, UpdateUserDto } from './dto/accounts.dto';
import { TokensService } from './tokens.service';
import { UsersService } from './users.service';

/** The signed-in user (set by the guard on Authenticated/Allow routes). */
function me(request: AuthenticatedRequest): { userId: string; name: string } {
  const actor = request.actor!;
  if (actor.kind !== 'user') throw new Error('guard let a non-user through');
  return { userId: actor.userId, name: actor.name };
}

@ApiTags('accounts')
@ApiBearerAuth()
@Controller('api/v1')
export class AccountsController {
  constructor(
    private readonly users: UsersService,
    private readonly tokens: TokensService,
  ) {}

  @Get('me')
  @Authenticated()
  @ApiOperation({ summary: 'The signed-in user with roles and scope' })
  me(@Req() request: AuthenticatedRequest) {
    return this.users.get(me(request).userId);
  }

  @Get('me/tokens')
  @Authenticated()
  listTokens(@Req() request: AuthenticatedRequest) {
    return this.tokens.list(me(request).userId);
  }

  @Delete('me/tokens/:id')
  @Authenticated()
  revokeToken(@Req() request: AuthenticatedRequest, @Param('id', uuidPipe) id: string) {
    return this.tokens.revoke(me(request).userId, id);
  }

  @Get('users')
  @Allow('ADMIN')
  listUsers(@Query() query: PageQueryDto) {
    return this.users.list(query);
  }

  @Get('users/:id')
  @Allow('ADMIN')
  getUser(@Param('id', uuidPipe) id: string) {
    return this.users.get(id);
  }

  @Post('users/invitations')
  @Allow('ADMIN')
  @ApiOperation({ summary: 'Invite a user by email (one-time link to set a password)' })
  invite(@Req() request: AuthenticatedRequest, @Body() dto: InviteUserDto) {
    return this.users.invite(dto, me(request).name);
  }

  @Patch('users/:id')
  @Allow('ADMIN')
  @ApiOperation({ summary: 'Change name, locale, roles and scopes' })
  update(@Param('id', uuidPipe) id: string, @Body() dto: UpdateUserDto) {
    return this.users.update(id, dto);
  }

  @Post('users/:id/deactivate')
  @Allow('ADMIN')
  @HttpCode(200)
  deactivate(@Param('id', uuidPipe) id: string) {
    return this.users.deactivate(id);
  }

  @Post('users/:id/unlock')
  @Allow('ADMIN')
  @HttpCode(200)
  unlock(@Param('id', uuidPipe) id: string) {
    return this.users.unlock(id);
  }

  @Post('users/:id/resend-invite')
  @Allow('ADMIN')
  @HttpCode(200)
  resendInvite(@Req() request: AuthenticatedRequest, @Param('id', uuidPipe) id: string) {
    return this.users.resendInvite(id, me(request).name);
  }
}
