import { Body, Controller, Get, Headers, HttpCode, Param, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Allow, Public } from '../../../common/auth/policy.decorator';
import { uuidPipe } from '../../../common/http/validation';
import { pickLocale } from '../../../common/i18n/i18n';
import {
  CancelEvaluationDto,
  EvaluationResponseDto,
  OpenEvaluationDto,
} from './dto/evaluations.dto';
import { EvaluationsService } from './evaluations.service';

@ApiTags('grants')
@Controller('api/v1')
export class EvaluationsController {
  constructor(private readonly evaluations: EvaluationsService) {}

  @Post('grants/awards/:id/evaluations')
  @Allow('ADMIN', 'GRANTS_OFFICER')
  @ApiOperation({
    summary:
      'Open a resident evaluation of a completed project (or one whose rectification report was accepted), with one-time codes',
  })
  open(@Param('id', uuidPipe) id: string, @Body() dto: OpenEvaluationDto) {
    return this.evaluations.open(id, dto);
  }

  @Get('grants/evaluations/:id')
  @Allow('ADMIN', 'GRANTS_OFFICER')
  @ApiOperation({ summary: 'One evaluation with its tally counted now' })
  get(@Param('id', uuidPipe) id: string) {
    return this.evaluations.get(id);
  }

  @Post('grants/evaluations/:id/close')
  @Allow('ADMIN', 'GRANTS_OFFICER')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Close an evaluation once its minimum of responses is in: passed → project EVALUATED, failed → RECTIFICATION_REQUIRED',
  })
  close(@Param('id', uuidPipe) id: string) {
    return this.evaluations.close(id);
  }

  @Post('grants/evaluations/:id/cancel')
  @Allow('ADMIN', 'GRANTS_OFFICER')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Cancel an open evaluation with a reason: its codes stop working, nothing is counted, the project status stays',
  })
  cancel(@Param('id', uuidPipe) id: string, @Body() dto: CancelEvaluationDto) {
    return this.evaluations.cancel(id, dto.reason);
  }

  @Post('evaluations/responses')
  @Public()
  @ApiTags('public')
  @ApiOperation({
    summary: 'A resident’s response with their one-time code (no sign-in): satisfied, 1–5, comment',
  })
  respond(@Body() dto: EvaluationResponseDto, @Headers('accept-language') acceptLanguage?: string) {
    return this.evaluations.respond(dto, pickLocale(undefined, acceptLanguage, 'zh-CN'));
  }

  @Get('grants/awards/:id/evaluations')
  @Public()
  @ApiOperation({
    summary:
      'The public results of a project’s evaluations: responses, satisfied %, mean score, comments (never codes)',
  })
  results(@Param('id', uuidPipe) id: string) {
    return this.evaluations.publicResults(id);
  }
}
