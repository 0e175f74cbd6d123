import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** A news post on a campaign ("we bought the first 40 wheelchairs"), Markdown in both languages. */
@Entity('campaign_updates')
export class CampaignUpdate {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'uuid' })
  campaignId!: string;

  @Column({ type: 'text' })
  titleZh!: string;

  @Column({ type: 'text' })
  titleEn!: string;

  @Column({ type: 'text' })
  bodyZh!: string;

  @Column({ type: 'text' })
  bodyEn!: string;

  @Column({ type: 'uuid', nullable: true })
  createdBy!: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  publishedAt!: Date;
}
