import { Controller, Get, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Allow } from '../../../common/auth/policy.decorator';
import { DashboardQuery } from './dto/insights.dto';
import { GrantsInsightsService } from './grants-insights.service';

@ApiTags('grants')
@Controller('api/v1/grants')
export class GrantsDashboardController {
  constructor(private readonly insights: GrantsInsightsService) {}

  @Get('dashboard')
  @Allow('ADMIN', 'FINANCE', 'GRANTS_OFFICER')
  @ApiOperation({
    summary:
      'Grants dashboard: per round projects started/completed/in rectification/closed, money awarded vs paid, ' +
      'median and 90th-percentile days (nearest rank) from submission to decision and from tranche request to payment; ' +
      'fund use rate per fund for the year; overdue items',
  })
  dashboard(@Query() query: DashboardQuery) {
    return this.insights.dashboard({ year: query.year, roundId: query.roundId });
  }
}
