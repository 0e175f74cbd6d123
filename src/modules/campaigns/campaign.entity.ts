import {
  Column,
  CreateDateColumn,
  Entity,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
  type ValueTransformer,
} from 'typeorm';
import { minorUnits, toSafeInteger } from '../../common/money';
import type { CampaignStatus } from './campaign-status';

/** pg returns bigint[] as strings; convert once, refusing anything unsafe as a number. */
const minorUnitsArray: ValueTransformer = {
  to: (value: number[] | undefined) => value,
  from: (value: (string | number)[] | null) => (value ?? []).map((v) => toSafeInteger(v)!),
};

/** A public fundraising page for one fund. Stories are stored as Markdown, rendered on output. */
@Entity('campaigns')
export class Campaign {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'text', unique: true })
  slug!: string;

  @Column({ type: 'uuid' })
  fundId!: string;

  @Column({ type: 'text' })
  status!: CampaignStatus;

  @Column({ type: 'text' })
  titleZh!: string;

  @Column({ type: 'text' })
  titleEn!: string;

  @Column({ type: 'text' })
  storyZh!: string;

  @Column({ type: 'text' })
  storyEn!: string;

  @Column({ type: 'char', length: 3 })
  currency!: string;

  @Column({ type: 'bigint', nullable: true, transformer: minorUnits })
  goalMinor!: number | null;

  @Column({ type: 'bigint', transformer: minorUnits })
  minAmountMinor!: number;

  @Column({ type: 'bigint', array: true, transformer: minorUnitsArray })
  presetAmountsMinor!: number[];

  @Column({ type: 'timestamptz', nullable: true })
  startsAt!: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  endsAt!: Date | null;

  /** File name under DATA_DIR/uploads, served at /uploads/<name>. */
  @Column({ type: 'text', nullable: true })
  coverImage!: string | null;

  /** The widths the cover was also stored at (`<name>-w<width>.<ext>`), for `srcset`. */
  @Column({ type: 'integer', array: true, default: () => "'{}'" })
  coverWidths!: number[];

  /** The stored cover's size in pixels (null for covers stored before sizes were kept). */
  @Column({ type: 'integer', nullable: true })
  coverWidth!: number | null;

  @Column({ type: 'integer', nullable: true })
  coverHeight!: number | null;

  /** 募捐方案备案编号: the filing number of this campaign's fundraising plan ('' until filed). */
  @Column({ type: 'text', default: '' })
  filingNumber!: string;

  @Column({ type: 'uuid', nullable: true })
  createdBy!: string | null;

  @Column({ type: 'uuid', nullable: true })
  publishedBy!: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  publishedAt!: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  endedAt!: Date | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;
}
