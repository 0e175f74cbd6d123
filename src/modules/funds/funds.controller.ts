import { Allow, AllowForFund, Public } from '../../common/auth/policy.decorator';
import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { StatementQueryDto } from '../ledger/dto/ledger.dto';
import { uuidPipe } from '../../common/http/validation';
import { CreateFundDto, FundListQueryDto, UpdateFundDto } from './dto/funds.dto';
import { FundsService } from './funds.service';

@ApiTags('funds')
@Controller('api/v1/funds')
export class FundsController {
  constructor(private readonly funds: FundsService) {}

  @Get()
  @Public()
  @ApiOperation({ summary: 'Funds with balances (limit up to 500, keyset cursor)' })
  list(@Query() query: FundListQueryDto) {
    return this.funds.list(query);
  }

  @Get('coverage')
  @Public()
  @ApiOperation({ summary: 'Communities with an active fund ÷ all communities' })
  coverage() {
    return this.funds.coverage();
  }

  @Post()
  @Allow('ADMIN', 'FINANCE')
  create(@Body() dto: CreateFundDto) {
    return this.funds.create(dto);
  }

  @Get(':id')
  @Public()
  @ApiOperation({ summary: 'One fund with its balance' })
  get(@Param('id', uuidPipe) id: string) {
    return this.funds.get(id);
  }

  @Patch(':id')
  @Allow('ADMIN', 'FINANCE')
  update(@Param('id', uuidPipe) id: string, @Body() dto: UpdateFundDto) {
    return this.funds.update(id, dto);
  }

  @Post(':id/activate')
  @Allow('ADMIN', 'FINANCE')
  @HttpCode(200)
  activate(@Param('id', uuidPipe) id: string) {
    return this.funds.activate(id);
  }

  @Post(':id/close')
  @Allow('ADMIN', 'FINANCE')
  @HttpCode(200)
  close(@Param('id', uuidPipe) id: string) {
    return this.funds.close(id);
  }

  @Get(':id/statement')
  @AllowForFund('id', 'ADMIN', 'FINANCE', 'GRANTS_OFFICER', 'REVIEWER')
  @ApiOperation({ summary: 'The fund statement: postings newest first with running balance' })
  statement(@Param('id', uuidPipe) id: string, @Query() query: StatementQueryDto) {
    return this.funds.statement(id, query);
  }
}
