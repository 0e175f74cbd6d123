import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Allow } from '../../../common/auth/policy.decorator';
import { uuidPipe } from '../../../common/http/validation';
import { AssignReviewerDto } from '../reviews/dto/reviews.dto';
import { ReviewsService } from '../reviews/reviews.service';
import { ApplicationsService } from './applications.service';
import {
  ApplicationFieldsDto,
  ApplicationListQuery,
  CreateApplicationDto,
  DecideApplicationDto,
} from './dto/applications.dto';

const READERS = [
  'ADMIN',
  'GRANTS_OFFICER',
  'FINANCE',
  'REVIEWER',
  'PLANNER',
  'COMMUNITY_LEADER',
] as const;

@ApiTags('grants')
@Controller('api/v1/grants')
export class ApplicationsController {
  constructor(
    private readonly applications: ApplicationsService,
    private readonly reviews: ReviewsService,
  ) {}

  @Post('rounds/:id/applications')
  @Allow('PLANNER', 'COMMUNITY_LEADER')
  @ApiOperation({
    summary:
      'Apply (DRAFT) for one community in your scope, while the round is OPEN and inside its application window (Beijing time)',
  })
  create(@Param('id', uuidPipe) roundId: string, @Body() dto: CreateApplicationDto) {
    return this.applications.create(roundId, dto);
  }

  @Get('applications')
  @Allow(...READERS)
  @ApiOperation({
    summary: 'Applications: staff see all; applicants their own; reviewers those assigned to them',
  })
  async list(@Query() query: ApplicationListQuery) {
    return { items: await this.applications.list(query) };
  }

  @Get('applications/:id')
  @Allow(...READERS)
  @ApiOperation({ summary: 'One application (its applicant, grant staff, its reviewers)' })
  get(@Param('id', uuidPipe) id: string) {
    return this.applications.read(id);
  }

  @Patch('applications/:id')
  @Allow('PLANNER', 'COMMUNITY_LEADER')
  @ApiOperation({ summary: 'Edit a DRAFT application (its applicant); locked once submitted' })
  update(@Param('id', uuidPipe) id: string, @Body() dto: ApplicationFieldsDto) {
    return this.applications.update(id, dto);
  }

  @Post('applications/:id/submit')
  @Allow('PLANNER', 'COMMUNITY_LEADER')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'DRAFT → SUBMITTED before the deadline; the decision is due targetDays.decision days after submission',
  })
  submit(@Param('id', uuidPipe) id: string) {
    return this.applications.submit(id);
  }

  @Post('applications/:id/shortlist')
  @Allow('ADMIN', 'GRANTS_OFFICER')
  @HttpCode(200)
  @ApiOperation({ summary: 'SUBMITTED | UNDER_REVIEW → SHORTLISTED (the applicant is emailed)' })
  shortlist(@Param('id', uuidPipe) id: string, @Body() dto: DecideApplicationDto) {
    return this.applications.shortlist(id, dto.note ?? '');
  }

  @Post('applications/:id/decline')
  @Allow('ADMIN', 'GRANTS_OFFICER')
  @HttpCode(200)
  @ApiOperation({ summary: 'SUBMITTED | UNDER_REVIEW → DECLINED (the applicant is emailed)' })
  decline(@Param('id', uuidPipe) id: string, @Body() dto: DecideApplicationDto) {
    return this.applications.decline(id, dto.note ?? '');
  }

  @Post('applications/:id/reviewers')
  @Allow('ADMIN', 'GRANTS_OFFICER')
  @ApiOperation({
    summary:
      'Assign a REVIEWER (refused for the applicant or someone of the same community: 409 CONFLICT_OF_INTEREST); due in targetDays.review days',
  })
  assign(@Param('id', uuidPipe) id: string, @Body() dto: AssignReviewerDto) {
    return this.reviews.assign(id, dto.reviewerId);
  }

  @Get('applications/:id/reviews')
  @Allow('ADMIN', 'GRANTS_OFFICER', 'FINANCE', 'REVIEWER')
  @ApiOperation({
    summary:
      'An application’s reviews; a reviewer sees the others’ scores only after submitting their own (hidden: true until then)',
  })
  async reviewsOf(@Param('id', uuidPipe) id: string) {
    return { items: await this.reviews.ofApplication(id) };
  }
}
