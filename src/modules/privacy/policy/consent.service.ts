import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { SupportedLocale } from '../../../common/i18n/i18n';
import { erasedSubject } from '../erased-names';
import { consentSubject, type ConsentPurpose } from './consent-purpose';
import { ConsentRepository } from './consent.repository';
import { PrivacyPolicyRepository } from './privacy-policy.repository';

/** One consent record as the access download and the erasure show it. */
export interface ConsentRecordView {
  purpose: ConsentPurpose;
  policyVersion: number;
  locale: SupportedLocale;
  donationId: string | null;
  createdAt: Date;
}

export interface ConsentToRecord {
  /** A donor's email (lower-cased here), or `evaluator:<code id>`. */
  subject: string;
  purpose: ConsentPurpose;
  /** The language the notice was read in. */
  locale: SupportedLocale;
  donationId?: string;
}

/**
 * What a person was told and agreed to at collection, stamped with the policy version in force.
 * `record` runs in the caller's transaction, so the consent commits (or rolls back) with the data
 * it covers.
 */
@Injectable()
export class ConsentService {
  constructor(
    private readonly repo: ConsentRepository,
    private readonly policies: PrivacyPolicyRepository,
  ) {}

  async record(m: EntityManager, c: ConsentToRecord): Promise<void> {
    await this.repo.insert(m, {
      subject: consentSubject(c.subject),
      purpose: c.purpose,
      policyVersion: await this.policies.currentVersion(m),
      locale: c.locale,
      donationId: c.donationId ?? null,
    });
  }

  /** Every consent of a subject, oldest first. */
  async forSubject(subject: string): Promise<ConsentRecordView[]> {
    const rows = await this.repo.forSubject(consentSubject(subject));
    return rows.map(({ purpose, policyVersion, locale, donationId, createdAt }) => ({
      purpose,
      policyVersion,
      locale,
      donationId,
      createdAt,
    }));
  }

  /** Erasure: the email's consents stay (what was agreed, when) but name `erased:<no>`. */
  eraseSubject(m: EntityManager, email: string, erasedNo: number): Promise<number> {
    return this.repo.replaceSubject(m, consentSubject(email), erasedSubject(erasedNo));
  }
}
