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
  @ApiOperation({ summary: 'The foundation profile and settings' })
  getProfile() {
    return this.foundation.getProfile();
  }

  @Put('foundation')
  @ApiOperation({ summary: 'Create or replace the foundation profile' })
  saveProfile(@Body() dto: FoundationProfileDto) {
    return this.foundation.saveProfile(dto);
  }

  @Get('subdistricts')
  listSubdistricts() {
    return this.foundation.listSubdistricts();
  }

  @Post('subdistricts')
  createSubdistrict(@Body() dto: CreateSubdistrictDto) {
    return this.foundation.createSubdistrict(dto);
  }

  @Get('subdistricts/:id')
  getSubdistrict(@Param('id', uuidPipe) id: string) {
    return this.foundation.getSubdistrict(id);
  }

  @Patch('subdistricts/:id')
  updateSubdistrict(@Param('id', uuidPipe) id: string, @Body() dto: UpdateSubdistrictDto) {
    return this.foundation.updateSubdistrict(id, dto);
  }

  @Get('communities')
  listCommunities(@Query() query: CommunityListQueryDto) {
    return this.foundation.listCommunities(query);
  }

  @Post('communities')
  createCommunity(@Body() dto: CreateCommunityDto) {
    return this.foundation.createCommunity(dto);
  }

  @Get('communities/:id')
  getCommunity(@Param('id', uuidPipe) id: string) {
    return this.foundation.getCommunity(id);
  }

  @Patch('communities/:id')
  updateCommunity(@Param('id', uuidPipe) id: string, @Body() dto: UpdateCommunityDto) {
    return this.foundation.updateCommunity(id, dto);
  }
}
