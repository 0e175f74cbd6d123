import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

export const LOCALES = ['zh-CN', 'en'] as const;
export type Locale = (typeof LOCALES)[number];

/** The one foundation this deployment runs (a single row, id = 1). */
@Entity('foundation')
export class Foundation {
  @PrimaryColumn({ type: 'smallint' })
  id!: number;

  @Column({ type: 'text' })
  legalNameZh!: string;

  @Column({ type: 'text' })
  legalNameEn!: string;

  @Column({ type: 'text' })
  registrationNumber!: string;

  @Column({ type: 'char', length: 3 })
  currency!: string;

  @Column({ type: 'text' })
  defaultLocale!: Locale;

  @Column({ type: 'text' })
  receiptPrefix!: string;

  /** 慈善组织公开募捐资格: the public fundraising qualification as shown on campaign pages ('' unset). */
  @Column({ type: 'text', default: '' })
  fundraisingQualification!: string;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;
}
