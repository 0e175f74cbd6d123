import { Allow, Public } from '../../common/auth/policy.decorator';
import { Body, Controller, Get, Param, Patch, Post, Put, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { uuidPipe } from '../../common/http/validation';
import {
  CommunityListQueryDto,
  CreateCommunityDto,
  CreateSubdistrictDto,
  FoundationProfileDto,
  UpdateCommunityDto,
  UpdateSubdistrictDto,
} from './dto/foundation.dto';
import { FoundationService } from './foundation.service';

@ApiTags('foundation')
@Controller('api/v1')
export class FoundationController {
  constructor(private readonly foundation: FoundationService) {}

  @Get('foundation')
  @Public()
  @ApiOperation({ summary: 'The foundation profile and settings' })
  getProfile() {
    return this.foundation.getProfile();
  }

  @Put('foundation')
  @Allow('ADMIN')
  @ApiOperation({ summary: 'Create or replace the foundation profile' })
  saveProfile(@Body() dto: FoundationProfileDto) {
    return this.foundation.saveProfile(dto);
  }

  @Get('subdistricts')
  @Public()
  listSubdistricts() {
    return this.foundation.listSubdistricts();
  }

  @Post('subdistricts')
  @Allow('ADMIN')
  createSubdistrict(@Body() dto: CreateSubdistrictDto) {
    return this.foundation.createSubdistrict(dto);
  }

  @Get('subdistricts/:id')
  @Public()
  getSubdistrict(@Param('id', uuidPipe) id: string) {
    return this.foundation.getSubdistrict(id);
  }

  @Patch('subdistricts/:id')
  @Allow('ADMIN')
  updateSubdistrict(@Param('id', uuidPipe) id: string, @Body() dto: UpdateSubdistrictDto) {
    return this.foundation.updateSubdistrict(id, dto);
  }

  @Get('communities')
  @Public()
  listCommunities(@Query() query: CommunityListQueryDto) {
    return this.foundation.listCommunities(query);
  }

  @Post('communities')
  @Allow('ADMIN')
  createCommunity(@Body() dto: CreateCommunityDto) {
    return this.foundation.createCommunity(dto);
  }

  @Get('communities/:id')
  @Public()
  getCommunity(@Param('id', uuidPipe) id: string) {
    return this.foundation.getCommunity(id);
  }

  @Patch('communities/:id')
  @Allow('ADMIN')
  updateCommunity(@Param('id', uuidPipe) id: string, @Body() dto: UpdateCommunityDto) {
    return this.foundation.updateCommunity(id, dto);
  }
}
