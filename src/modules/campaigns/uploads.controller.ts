import { Controller, Get, Header, Param, StreamableFile } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Public } from '../../common/auth/policy.decorator';
import { NotFoundError } from '../../common/errors';
import { CoverStorage } from './cover-storage';
import { words } from '../../common/i18n/i18n';

/**
 * Serves uploaded images. Names are random; a name that does not match the pattern is a 404. The
 * files are images this app encoded (transcodeCover); the sandbox CSP is a second wall should a
 * browser ever be talked into showing one as a page.
 */
@ApiExcludeController()
@Controller('uploads')
export class UploadsController {
  constructor(private readonly covers: CoverStorage) {}

  @Get(':name')
  @Public()
  @Header('Cache-Control', 'public, max-age=31536000, immutable')
  @Header('Content-Security-Policy', "default-src 'none'; sandbox")
  async get(@Param('name') name: string): Promise<StreamableFile> {
    const file = await this.covers.open(name);
    if (!file) throw new NotFoundError(words('errors.campaigns.noImage'));
    return new StreamableFile(file.stream, { type: file.mime, length: file.size });
  }
}
