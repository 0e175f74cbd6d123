import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentActor } from '../../common/auth/current-actor.decorator';
import { Allow, Public } from '../../common/auth/policy.decorator';
import type { Actor } from '../../common/context/request-context';
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
  list(@CurrentActor() actor: Actor | undefined, @Query() query: CampaignListQueryDto) {
    return this.campaigns.list(actor, query);
  }

  @Post()
  @Allow('ADMIN', 'FINANCE', 'GRANTS_OFFICER', 'COMMUNITY_LEADER')
  @ApiOperation({ summary: 'Draft a campaign (a community leader: for a fund in their scope)' })
  create(@CurrentActor() actor: Actor | undefined, @Body() dto: CreateCampaignDto) {
    return this.campaigns.create(actor, dto);
  }

  @Get(':slug')
  @Public()
  @ApiOperation({ summary: 'One campaign by slug (or id) with totals and rendered stories' })
  get(@CurrentActor() actor: Actor | undefined, @Param('slug') slug: string) {
    return this.campaigns.getVisible(actor, slug);
  }

  @Get(':slug/totals')
  @Public()
  @ApiOperation({ summary: 'Raised, matched, gifts, donors and progress' })
  totals(@CurrentActor() actor: Actor | undefined, @Param('slug') slug: string) {
    return this.campaigns.totalsVisible(actor, slug);
  }

  @Get(':slug/updates')
  @Public()
  @ApiOperation({ summary: 'News updates, newest first' })
  updates(
    @CurrentActor() actor: Actor | undefined,
    @Param('slug') slug: string,
    @Query() query: PageQueryDto,
  ) {
    return this.campaigns.listUpdates(actor, slug, query);
  }

  @Patch(':id')
  @Allow('ADMIN', 'FINANCE', 'GRANTS_OFFICER', 'COMMUNITY_LEADER')
  @ApiOperation({ summary: 'Edit: drafts by staff or the fund’s leader, live ones by staff' })
  update(
    @CurrentActor() actor: Actor | undefined,
    @Param('id', uuidPipe) id: string,
    @Body() dto: UpdateCampaignDto,
  ) {
    return this.campaigns.update(actor, id, dto);
  }

  @Post(':id/publish')
  @Allow('ADMIN', 'FINANCE')
  @HttpCode(200)
  @ApiOperation({ summary: 'DRAFT → LIVE (titles present, fund ACTIVE)' })
  publish(@CurrentActor() actor: Actor | undefined, @Param('id', uuidPipe) id: string) {
    return this.campaigns.publish(actor, id);
  }

  @Post(':id/end')
  @Allow('ADMIN', 'FINANCE')
  @HttpCode(200)
  @ApiOperation({ summary: 'LIVE → ENDED' })
  end(@CurrentActor() actor: Actor | undefined, @Param('id', uuidPipe) id: string) {
    return this.campaigns.end(actor, id);
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
  cover(
    @CurrentActor() actor: Actor | undefined,
    @Param('id', uuidPipe) id: string,
    @CoverBody() upload: CoverUpload,
  ) {
    return this.campaigns.setCover(actor, id, upload);
  }

  @Post(':id/updates')
  @Allow('ADMIN', 'FINANCE', 'GRANTS_OFFICER', 'COMMUNITY_LEADER')
  @ApiOperation({ summary: 'Post a news update (staff, or the fund’s community leader)' })
  createUpdate(
    @CurrentActor() actor: Actor | undefined,
    @Param('id', uuidPipe) id: string,
    @Body() dto: CreateCampaignUpdateDto,
  ) {
    return this.campaigns.createUpdate(actor, id, dto);
  }
}
