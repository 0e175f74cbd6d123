import { Body, Controller, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Allow } from '../../common/auth/policy.decorator';
import { uuidPipe } from '../../common/http/validation';
import { ReleaseListQuery, RejectReleaseDto, RequestReleaseDto } from './dto/releases.dto';
import { ReleasesService } from './releases.service';

@ApiTags('allocations')
@Controller('api/v1/releases')
export class ReleasesController {
  constructor(private readonly releases: ReleasesService) {}

  @Post()
  @Allow('ADMIN', 'FINANCE')
  @ApiOperation({
    summary:
      'Ask to release restricted money to another fund, with a reason (201 new, 200 replay of the same key)',
  })
  async request(@Body() dto: RequestReleaseDto, @Res({ passthrough: true }) reply: FastifyReply) {
    const result = await this.releases.request(dto);
    void reply.status(result.replayed ? 200 : 201);
    return result;
  }

  @Get()
  @Allow('ADMIN', 'FINANCE')
  @ApiOperation({ summary: 'Releases, pending ones first (at most 100)' })
  async list(@Query() query: ReleaseListQuery) {
    return { items: await this.releases.list({ status: query.status }) };
  }

  @Get(':id')
  @Allow('ADMIN', 'FINANCE')
  @ApiOperation({ summary: 'One release' })
  get(@Param('id', uuidPipe) id: string) {
    return this.releases.get(id);
  }

  @Post(':id/approve')
  @Allow('ADMIN', 'FINANCE')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Approve and post a pending release: a second person, of the other role than the requester',
  })
  approve(@Param('id', uuidPipe) id: string) {
    return this.releases.approve(id);
  }

  @Post(':id/reject')
  @Allow('ADMIN', 'FINANCE')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Reject a pending release (its requester may withdraw it); nothing moves',
  })
  reject(@Param('id', uuidPipe) id: string, @Body() dto: RejectReleaseDto) {
    return this.releases.reject(id, dto.note ?? '');
  }
}
