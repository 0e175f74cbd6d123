import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Allow, Public } from '../../common/auth/policy.decorator';
import { PageQueryDto } from '../../common/http/pagination.dto';
import { uuidPipe } from '../../common/http/validation';
import { CampaignsService } from './campaigns.service';
import type { CoverUpload } from './campaigns.types';
import { COVER_CONTENT_TYPES, CoverBody } from './cover-upload.parser';
import {
  CampaignListQueryDto,
  CreateCampaignDto,
  CreateCampaignUpdateDto,
  UpdateCampaignDto,
} from './dto/campaigns.dto';

@ApiTags('campaigns')
@Controller('api/v1/campaigns')
export class CampaignsController {
  constructor(private readonly campaigns: CampaignsService) {}

  @Get()
  @Public()
  @ApiOperation({
    summary: 'Campaigns, newest first (LIVE and ENDED; ?status=DRAFT for their editors)',
  })
  list(@Query() query: CampaignListQueryDto) {
    return this.campaigns.list(query);
  }

  @Post()
  @Allow('ADMIN', 'FINANCE', 'GRANTS_OFFICER', 'COMMUNITY_LEADER')
  @ApiOperation({ summary: 'Draft a campaign (a community leader: for a fund in their scope)' })
  create(@Body() dto: CreateCampaignDto) {
    return this.campaigns.create(dto);
  }

  @Get(':slug')
  @Public()
  @ApiOperation({ summary: 'One campaign by slug (or id) with totals and rendered stories' })
  get(@Param('slug') slug: string) {
    return this.campaigns.getVisible(slug);
  }

  @Get(':slug/totals')
  @Public()
  @ApiOperation({ summary: 'Raised, matched, gifts, donors and progress' })
  totals(@Param('slug') slug: string) {
    return this.campaigns.totalsVisible(slug);
  }

  @Get(':slug/updates')
  @Public()
  @ApiOperation({ summary: 'News updates, newest first' })
  updates(@Param('slug') slug: string, @Query() query: PageQueryDto) {
    return this.campaigns.listUpdates(slug, query);
  }

  @Patch(':id')
  @Allow('ADMIN', 'FINANCE', 'GRANTS_OFFICER', 'COMMUNITY_LEADER')
  @ApiOperation({ summary: 'Edit: drafts by staff or the fund’s leader, live ones by staff' })
  update(@Param('id', uuidPipe) id: string, @Body() dto: UpdateCampaignDto) {
    return this.campaigns.update(id, dto);
  }

  @Post(':id/publish')
  @Allow('ADMIN', 'FINANCE')
  @HttpCode(200)
  @ApiOperation({ summary: 'DRAFT → LIVE (titles present, fund ACTIVE)' })
  publish(@Param('id', uuidPipe) id: string) {
    return this.campaigns.publish(id);
  }

  @Post(':id/end')
  @Allow('ADMIN', 'FINANCE')
  @HttpCode(200)
  @ApiOperation({ summary: 'LIVE → ENDED' })
  end(@Param('id', uuidPipe) id: string) {
    return this.campaigns.end(id);
  }

  @Post(':id/cover')
  @Allow('ADMIN', 'FINANCE', 'GRANTS_OFFICER', 'COMMUNITY_LEADER')
  @HttpCode(200)
  @ApiOperation({ summary: 'Replace the cover image (PNG, JPEG or WebP, at most 2 MB)' })
  @ApiConsumes(...COVER_CONTENT_TYPES)
  @ApiBody({
    schema: {
      type: 'object',
      properties: { file: { type: 'string', format: 'binary' } },
      required: ['file'],
    },
  })
  cover(@Param('id', uuidPipe) id: string, @CoverBody() upload: CoverUpload) {
    return this.campaigns.setCover(id, upload);
  }

  @Post(':id/updates')
  @Allow('ADMIN', 'FINANCE', 'GRANTS_OFFICER', 'COMMUNITY_LEADER')
  @ApiOperation({ summary: 'Post a news update (staff, or the fund’s community leader)' })
  createUpdate(@Param('id', uuidPipe) id: string, @Body() dto: CreateCampaignUpdateDto) {
    return this.campaigns.createUpdate(id, dto);
  }
}
