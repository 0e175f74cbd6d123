import { Allow } from '../../common/auth/policy.decorator';
import { Body, Controller, Get, Param, Post, Query, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { uuidPipe } from '../../common/http/validation';
import {
  AccountListQueryDto,
  CreateAccountDto,
  CreateEntryDto,
  ReverseEntryDto,
  StatementQueryDto,
} from './dto/ledger.dto';
import { LedgerService } from './ledger.service';

@ApiTags('ledger')
@Controller('api/v1/ledger')
export class LedgerController {
  constructor(private readonly ledger: LedgerService) {}

  @Get('accounts')
  @Allow('FINANCE', 'ADMIN')
  @ApiOperation({ summary: 'Ledger accounts with balances' })
  listAccounts(@Query() query: AccountListQueryDto) {
    return this.ledger.listAccounts(query);
  }

  @Post('accounts')
  @Allow('FINANCE')
  @ApiOperation({ summary: 'Open an account for an outside party (bank, sponsor, expenses)' })
  openAccount(@Body() dto: CreateAccountDto) {
    return this.ledger.openOutsideAccount(dto);
  }

  @Get('accounts/:id')
  @Allow('FINANCE', 'ADMIN')
  getAccount(@Param('id', uuidPipe) id: string) {
    return this.ledger.getAccount(id);
  }

  @Get('accounts/:id/statement')
  @Allow('FINANCE', 'ADMIN')
  @ApiOperation({ summary: 'Postings of an account, newest first, with running balance' })
  statement(@Param('id', uuidPipe) id: string, @Query() query: StatementQueryDto) {
    return this.ledger.statement(id, query);
  }

  @Post('entries')
  @Allow('FINANCE')
  @ApiOperation({ summary: 'Post a manual balanced entry (201 new, 200 replay of the same key)' })
  async postEntry(@Body() dto: CreateEntryDto, @Res({ passthrough: true }) reply: FastifyReply) {
    const result = await this.ledger.postManual(dto);
    void reply.status(result.replayed ? 200 : 201);
    return result;
  }

  @Get('entries/:id')
  @Allow('FINANCE', 'ADMIN')
  getEntry(@Param('id', uuidPipe) id: string) {
    return this.ledger.getEntry(id);
  }

  @Post('entries/:id/reversal')
  @Allow('FINANCE')
  @ApiOperation({
    summary: 'Reverse an entry with its mirror image (201 once; repeats are 200 replays)',
  })
  async reverse(
    @Param('id', uuidPipe) id: string,
    @Body() dto: ReverseEntryDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const result = await this.ledger.reverse(id, dto.reason ?? '');
    void reply.status(result.replayed ? 200 : 201);
    return result;
  }

  @Get('check')
  @Allow('FINANCE', 'ADMIN')
  @ApiOperation({ summary: 'Check every ledger invariant from scratch' })
  check() {
    return this.ledger.check();
  }
}
