import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Allow } from '../../../common/auth/policy.decorator';
import { uuidPipe } from '../../../common/http/validation';
import { RecuseDto, ReviewListQuery, ScoreDto } from './dto/reviews.dto';
import { ReviewsService } from './reviews.service';

@ApiTags('grants')
@Controller('api/v1/grants/reviews')
export class ReviewsController {
  constructor(private readonly reviews: ReviewsService) {}

  @Get()
  @Allow('REVIEWER')
  @ApiOperation({ summary: 'My review assignments, open ones first (earliest due)' })
  async mine(@Query() query: ReviewListQuery) {
    return { items: await this.reviews.mine(query) };
  }

  @Get(':id')
  @Allow('REVIEWER', 'ADMIN', 'GRANTS_OFFICER', 'FINANCE')
  @ApiOperation({ summary: 'One review (its reviewer or grant staff)' })
  get(@Param('id', uuidPipe) id: string) {
    return this.reviews.read(id);
  }

  @Post(':id/recuse')
  @Allow('REVIEWER')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Declare a conflict of interest (a named relation) before scoring: RECUSED',
  })
  recuse(@Param('id', uuidPipe) id: string, @Body() dto: RecuseDto) {
    return this.reviews.recuse(id, dto.reason);
  }

  @Post(':id/scores')
  @Allow('REVIEWER')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Score every rubric criterion (whole numbers within [min, max]) with a comment; weighted = Σ weight × score / Σ weight; final once submitted',
  })
  score(@Param('id', uuidPipe) id: string, @Body() dto: ScoreDto) {
    return this.reviews.score(id, dto.scores, dto.comment ?? '');
  }
}
