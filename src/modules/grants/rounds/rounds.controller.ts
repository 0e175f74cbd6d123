import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Allow } from '../../../common/auth/policy.decorator';
import { uuidPipe } from '../../../common/http/validation';
import {
  CreateRoundDto,
  RoundDefinitionDto,
  RoundListQuery,
  StartReviewDto,
} from './dto/rounds.dto';
import { RoundsService } from './rounds.service';

@ApiTags('grants')
@Controller('api/v1/grants/rounds')
export class RoundsController {
  constructor(private readonly rounds: RoundsService) {}

  @Post()
  @Allow('ADMIN', 'GRANTS_OFFICER')
  @ApiOperation({
    summary:
      'Define a grant round (DRAFT): tiers, rubric, tranche schedule, target days; the currency is the source fund’s; budget = Σ tier amount × count + construction budget',
  })
  create(@Body() dto: CreateRoundDto) {
    return this.rounds.create(dto);
  }

  @Get()
  @Allow('ADMIN', 'GRANTS_OFFICER', 'FINANCE', 'REVIEWER', 'PLANNER', 'COMMUNITY_LEADER')
  @ApiOperation({ summary: 'Grant rounds, newest year first' })
  async list(@Query() query: RoundListQuery) {
    return { items: await this.rounds.list(query) };
  }

  @Get(':id')
  @Allow('ADMIN', 'GRANTS_OFFICER', 'FINANCE', 'REVIEWER', 'PLANNER', 'COMMUNITY_LEADER')
  @ApiOperation({ summary: 'One grant round' })
  get(@Param('id', uuidPipe) id: string) {
    return this.rounds.get(id);
  }

  @Patch(':id')
  @Allow('ADMIN', 'GRANTS_OFFICER')
  @ApiOperation({ summary: 'Replace a DRAFT round’s definition (refused once it is opened)' })
  update(@Param('id', uuidPipe) id: string, @Body() dto: RoundDefinitionDto) {
    return this.rounds.update(id, dto);
  }

  @Post(':id/open')
  @Allow('ADMIN', 'GRANTS_OFFICER')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'DRAFT → OPEN: reserves the budget in the source fund; a budget over the fund’s available balance is refused (422 INSUFFICIENT_FUND_BALANCE) and nothing changes',
  })
  open(@Param('id', uuidPipe) id: string) {
    return this.rounds.open(id);
  }

  @Post(':id/start-review')
  @Allow('ADMIN', 'GRANTS_OFFICER')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'OPEN → REVIEWING after the application deadline; before it only with {early: true}, which closes applications now (else 409 APPLICATIONS_STILL_OPEN)',
  })
  startReview(@Param('id', uuidPipe) id: string, @Body() dto: StartReviewDto) {
    return this.rounds.startReview(id, dto.early ?? false);
  }

  @Post(':id/start-awarding')
  @Allow('ADMIN', 'GRANTS_OFFICER')
  @HttpCode(200)
  @ApiOperation({ summary: 'REVIEWING → AWARDING' })
  startAwarding(@Param('id', uuidPipe) id: string) {
    return this.rounds.startAwarding(id);
  }

  @Post(':id/close')
  @Allow('ADMIN', 'GRANTS_OFFICER')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'AWARDING → CLOSED once no award is PROPOSED: the reservation is released if nothing was awarded, else resized to what the approved awards need',
  })
  close(@Param('id', uuidPipe) id: string) {
    return this.rounds.close(id);
  }

  @Get(':id/ranking')
  @Allow('ADMIN', 'GRANTS_OFFICER', 'FINANCE')
  @ApiOperation({
    summary:
      'Submitted applications ranked by the mean of their SUBMITTED reviews’ weighted scores (Σ weight × score / Σ weight, 4 dp; recused reviews excluded), highest first. Ties: the higher lowest reviewer score, then the earlier submission, then the application id. Applications without a submitted review come last with rank null.',
  })
  async ranking(@Param('id', uuidPipe) id: string) {
    return { items: await this.rounds.ranking(id) };
  }
}
