import { Public } from '../../common/auth/policy.decorator';
import { Controller, Get, Headers, Query, Render } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { PublicSiteService } from './public-site.service';

@ApiExcludeController()
@Controller()
export class PublicPagesController {
  constructor(private readonly site: PublicSiteService) {}

  @Get()
  @Public()
  @Render('pages/public/home')
  home(@Query('lang') lang: unknown, @Headers('accept-language') acceptLanguage?: string) {
    return this.site.home(lang, acceptLanguage);
  }
}
