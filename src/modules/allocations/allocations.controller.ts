import { Allow } from '../../common/auth/policy.decorator';
import { Body, Controller, HttpCode, Post, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { AllocationsService } from './allocations.service';
import { CreateAllocationDto, YearlyAllocationDto } from './dto/allocations.dto';

@ApiTags('allocations')
@Controller('api/v1/allocations')
export class AllocationsController {
  constructor(private readonly allocations: AllocationsService) {}

  @Post()
  @Allow('FINANCE', 'ADMIN')
  @ApiOperation({ summary: 'Move money between two funds (201 new, 200 replay of the same key)' })
  async transfer(
    @Body() dto: CreateAllocationDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const result = await this.allocations.transfer(dto);
    void reply.status(result.replayed ? 200 : 201);
    return result;
  }

  @Post('yearly')
  @Allow('FINANCE', 'ADMIN')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Allocate a fixed amount to every active community fund, once per year',
  })
  yearly(@Body() dto: YearlyAllocationDto) {
    return this.allocations.yearly(dto);
  }
}
