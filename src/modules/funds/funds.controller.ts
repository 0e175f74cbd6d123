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
  @ApiOperation({ summary: 'Funds with balances (limit up to 500, keyset cursor)' })
  list(@Query() query: FundListQueryDto) {
    return this.funds.list(query);
  }

  @Get('coverage')
  @ApiOperation({ summary: 'Communities with an active fund ÷ all communities' })
  coverage() {
    return this.funds.coverage();
  }

  @Post()
  create(@Body() dto: CreateFundDto) {
    return this.funds.create(dto);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One fund with its balance' })
  get(@Param('id', uuidPipe) id: string) {
    return this.funds.get(id);
  }

  @Patch(':id')
  update(@Param('id', uuidPipe) id: string, @Body() dto: UpdateFundDto) {
    return this.funds.update(id, dto);
  }

  @Post(':id/activate')
  @HttpCode(200)
  activate(@Param('id', uuidPipe) id: string) {
    return this.funds.activate(id);
  }

  @Post(':id/close')
  @HttpCode(200)
  close(@Param('id', uuidPipe) id: string) {
    return this.funds.close(id);
  }

  @Get(':id/statement')
  @ApiOperation({ summary: 'The fund statement: postings newest first with running balance' })
  statement(@Param('id', uuidPipe) id: string, @Query() query: StatementQueryDto) {
    return this.funds.statement(id, query);
  }
}
