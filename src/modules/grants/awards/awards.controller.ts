import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Allow } from '../../../common/auth/policy.decorator';
import { uuidPipe } from '../../../common/http/validation';
import { AwardsService } from './awards.service';
import {
  AwardListQuery,
  AwardDecisionNoteDto,
  ProposeAwardDto,
  RecordGrantInspectionDto,
  SubmitGrantReportDto,
} from './dto/awards.dto';
import { ReportsService } from './reports.service';
import { TranchesService } from './tranches.service';

@ApiTags('grants')
@Controller('api/v1/grants')
export class AwardsController {
  constructor(
    private readonly awards: AwardsService,
    private readonly tranches: TranchesService,
    private readonly reports: ReportsService,
  ) {}

  @Post('rounds/:id/awards')
  @Allow('ADMIN', 'GRANTS_OFFICER')
  @ApiOperation({
    summary:
      'Propose an award by tier for a SHORTLISTED application of an AWARDING round (design = tier amount)',
  })
  propose(@Param('id', uuidPipe) roundId: string, @Body() dto: ProposeAwardDto) {
    return this.awards.propose(roundId, dto);
  }

  @Get('awards')
  @Allow('ADMIN', 'GRANTS_OFFICER', 'FINANCE', 'PLANNER', 'COMMUNITY_LEADER')
  @ApiOperation({
    summary: 'Awards, open proposals first (staff: all; grantees: their own projects)',
  })
  async list(@Query() query: AwardListQuery) {
    return { items: await this.awards.list({ roundId: query.roundId, status: query.status }) };
  }

  @Get('awards/:id')
  @Allow('ADMIN', 'GRANTS_OFFICER', 'FINANCE', 'PLANNER', 'COMMUNITY_LEADER')
  @ApiOperation({
    summary: 'One award with its project, tranches, reports, inspections and evaluations',
  })
  get(@Param('id', uuidPipe) id: string) {
    return this.awards.getForActor(id);
  }

  @Post('awards/:id/approve')
  @Allow('ADMIN', 'FINANCE', 'GRANTS_OFFICER')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Approve a proposed award: never its proposer, a reviewer or the applicant; above the round threshold a second, different approver. The last approval pays the design award.',
  })
  approve(@Param('id', uuidPipe) id: string) {
    return this.awards.approve(id);
  }

  @Post('awards/:id/reject')
  @Allow('ADMIN', 'FINANCE', 'GRANTS_OFFICER')
  @HttpCode(200)
  @ApiOperation({ summary: 'Reject a proposed award with a note; nothing is paid' })
  reject(@Param('id', uuidPipe) id: string, @Body() dto: AwardDecisionNoteDto) {
    return this.awards.reject(id, dto.note ?? '');
  }

  @Get('tranches')
  @Allow('ADMIN', 'FINANCE')
  @ApiOperation({ summary: 'Requested tranches waiting for payment, oldest first' })
  async queue() {
    return { items: await this.tranches.queue() };
  }

  @Post('tranches/:id/request')
  @Allow('ADMIN', 'GRANTS_OFFICER', 'PLANNER', 'COMMUNITY_LEADER')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Request payment of an unlocked tranche (officer, admin or the applicant); refused during rectification',
  })
  request(@Param('id', uuidPipe) id: string) {
    return this.tranches.request(id);
  }

  @Post('tranches/:id/pay')
  @Allow('FINANCE')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Pay a requested tranche (FINANCE, not its requester); paying a PAID tranche answers with it and posts nothing',
  })
  pay(@Param('id', uuidPipe) id: string) {
    return this.tranches.pay(id);
  }

  @Post('tranches/:id/reject')
  @Allow('FINANCE')
  @HttpCode(200)
  @ApiOperation({ summary: 'Send a requested tranche back to SCHEDULED with a note' })
  rejectTranche(@Param('id', uuidPipe) id: string, @Body() dto: AwardDecisionNoteDto) {
    return this.tranches.reject(id, dto.note ?? '');
  }

  @Post('awards/:id/reports')
  @Allow('PLANNER', 'COMMUNITY_LEADER')
  @ApiOperation({
    summary:
      "Submit a START, MIDTERM, COMPLETION or RECTIFICATION report (the grantee, or a planner/leader of the project's community)",
  })
  submitReport(@Param('id', uuidPipe) id: string, @Body() dto: SubmitGrantReportDto) {
    return this.reports.submit(id, dto);
  }

  @Post('reports/:id/accept')
  @Allow('ADMIN', 'GRANTS_OFFICER')
  @HttpCode(200)
  @ApiOperation({ summary: 'Accept a submitted report (not its submitter)' })
  accept(@Param('id', uuidPipe) id: string, @Body() dto: AwardDecisionNoteDto) {
    return this.reports.accept(id, dto.note ?? '');
  }

  @Post('reports/:id/return')
  @Allow('ADMIN', 'GRANTS_OFFICER')
  @HttpCode(200)
  @ApiOperation({ summary: 'Return a submitted report with a note (not its submitter)' })
  returnReport(@Param('id', uuidPipe) id: string, @Body() dto: AwardDecisionNoteDto) {
    return this.reports.return(id, dto.note ?? '');
  }

  @Post('awards/:id/inspections')
  @Allow('ADMIN', 'GRANTS_OFFICER')
  @ApiOperation({ summary: 'Record an acceptance inspection (验收): body, result, notes, date' })
  inspect(@Param('id', uuidPipe) id: string, @Body() dto: RecordGrantInspectionDto) {
    return this.reports.recordInspection(id, dto);
  }
}
