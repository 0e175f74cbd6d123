import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The stored cover's size in pixels, so pages give `<img>` its width and height (the browser keeps
 * the space before the image arrives: no layout shift) and `srcset` names the full image's width.
 * Null for covers stored before sizes were kept, and while there is no cover.
 */
export class CoverSize1764510000000 implements MigrationInterface {
  name = 'CoverSize1764510000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE campaigns
        ADD COLUMN cover_width integer CHECK (cover_width > 0),
        ADD COLUMN cover_height integer CHECK (cover_height > 0),
        ADD CONSTRAINT campaigns_cover_size_whole
          CHECK ((cover_width IS NULL) = (cover_height IS NULL));
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE campaigns DROP COLUMN cover_height, DROP COLUMN cover_width;
    `);
  }
}
