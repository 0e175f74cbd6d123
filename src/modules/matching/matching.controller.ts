import { Body, Controller, Get, HttpCode, Param, Post, Put, Res } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Allow } from '../../common/auth/policy.decorator';
import { MatchingRuleDto, toRuleSettings } from './dto/matching-rule.dto';
import { MatchingService } from './matching.service';

/** A campaign's matching rule: set, paused, resumed and ended by ADMIN and FINANCE. */
@ApiTags('matching')
@ApiParam({ name: 'slug', description: 'The campaign’s slug or id' })
@Controller('api/v1/campaigns/:slug/matching-rule')
export class MatchingController {
  constructor(private readonly matching: MatchingService) {}

  @Get()
  @Allow('ADMIN', 'FINANCE', 'GRANTS_OFFICER', 'COMMUNITY_LEADER')
  @ApiOperation({
    summary: 'The campaign’s rule with its state and pool (community leaders: their own funds)',
  })
  get(@Param('slug') slug: string) {
    return this.matching.ruleView(slug);
  }

  @Put()
  @Allow('ADMIN', 'FINANCE')
  @ApiOperation({
    summary: 'Create (201) or replace (200) the rule; an unchanged rule is answered 200 as is',
  })
  async put(
    @Param('slug') slug: string,
    @Body() dto: MatchingRuleDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const { rule, created } = await this.matching.putRule(slug, toRuleSettings(dto));
    void reply.status(created ? 201 : 200);
    return rule;
  }

  @Post('pause')
  @Allow('ADMIN', 'FINANCE')
  @HttpCode(200)
  @ApiOperation({ summary: 'Stop matching for now (a paused rule stays paused)' })
  pause(@Param('slug') slug: string) {
    return this.matching.pauseRule(slug);
  }

  @Post('resume')
  @Allow('ADMIN', 'FINANCE')
  @HttpCode(200)
  @ApiOperation({ summary: 'Match again after a pause (not after the end: 409)' })
  resume(@Param('slug') slug: string) {
    return this.matching.resumeRule(slug);
  }

  @Post('end')
  @Allow('ADMIN', 'FINANCE')
  @HttpCode(200)
  @ApiOperation({
    summary: 'End the rule for good; its matches, matched sum and sponsor report stay',
  })
  end(@Param('slug') slug: string) {
    return this.matching.endRule(slug);
  }
}
