import { Body, Controller, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Allow, AllowForFund } from '../../../common/auth/policy.decorator';
import { uuidPipe } from '../../../common/http/validation';
import { DecideExpenseDto, ExpenseListQuery, RequestExpenseDto } from './dto/expenses.dto';
import { ExpensesService } from './expenses.service';

@ApiTags('grants')
@Controller('api/v1')
export class ExpensesController {
  constructor(private readonly expenses: ExpensesService) {}

  @Post('funds/:id/expenses')
  @AllowForFund('id', 'ADMIN', 'FINANCE', 'GRANTS_OFFICER')
  @ApiOperation({
    summary:
      'Ask for an expense to be paid from a fund: payee, purpose, amount (201 new, 200 replay of the same key)',
  })
  async request(
    @Param('id', uuidPipe) fundId: string,
    @Body() dto: RequestExpenseDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const result = await this.expenses.request(fundId, dto);
    void reply.status(result.replayed ? 200 : 201);
    return result;
  }

  @Get('expenses')
  @Allow('ADMIN', 'FINANCE', 'GRANTS_OFFICER', 'COMMUNITY_LEADER')
  @ApiOperation({
    summary: 'Expenses the caller may see, requested ones first by due date (at most 200)',
  })
  async list(@Query() query: ExpenseListQuery) {
    return { items: await this.expenses.list({ fundId: query.fundId, status: query.status }) };
  }

  @Get('expenses/:id')
  @Allow('ADMIN', 'FINANCE', 'GRANTS_OFFICER', 'COMMUNITY_LEADER')
  @ApiOperation({ summary: 'One expense' })
  get(@Param('id', uuidPipe) id: string) {
    return this.expenses.get(id);
  }

  @Post('expenses/:id/pay')
  @Allow('FINANCE')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Pay a requested expense from its fund (FINANCE, never the requester); paying a PAID one again answers with it and posts nothing',
  })
  pay(@Param('id', uuidPipe) id: string, @Body() dto: DecideExpenseDto) {
    return this.expenses.pay(id, dto.note ?? '');
  }

  @Post('expenses/:id/reject')
  @Allow('FINANCE', 'ADMIN')
  @HttpCode(200)
  @ApiOperation({ summary: 'Reject a requested expense with a note; nothing moves' })
  reject(@Param('id', uuidPipe) id: string, @Body() dto: DecideExpenseDto) {
    return this.expenses.reject(id, dto.note ?? '');
  }

  @Post('expenses/:id/withdraw')
  @Allow('ADMIN', 'FINANCE', 'GRANTS_OFFICER', 'COMMUNITY_LEADER')
  @HttpCode(200)
  @ApiOperation({ summary: 'Withdraw your own requested expense; nothing moves' })
  withdraw(@Param('id', uuidPipe) id: string, @Body() dto: DecideExpenseDto) {
    return this.expenses.withdraw(id, dto.note ?? '');
  }
}
