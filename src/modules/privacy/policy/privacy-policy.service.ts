import { Injectable } from '@nestjs/common';
import { TransactionService, type TransactionOptions } from '../../../database/transaction.service';
import { AuditService } from '../../audit/audit.service';
import { PrivacyPolicyInvalidError } from '../privacy.errors';
import { POLICY_BODY_MAX, policyDraftProblem } from './privacy-policy-draft';
import { PrivacyPolicyRepository, type PrivacyPolicyRow } from './privacy-policy.repository';

/**
 * The privacy policy the foundation writes, in zh-CN and en. Publishing adds a version (earlier
 * ones stay, since each consent record names the version it was given under); audited.
 */
@Injectable()
export class PrivacyPolicyService {
  constructor(
    private readonly tx: TransactionService,
    private readonly repo: PrivacyPolicyRepository,
    private readonly audit: AuditService,
  ) {}

  current(opts: TransactionOptions = {}): Promise<PrivacyPolicyRow> {
    return this.repo.current(opts);
  }

  /** Every published version, newest first. */
  versions(): Promise<PrivacyPolicyRow[]> {
    return this.repo.versions();
  }

  async publish(bodyZh: string, bodyEn: string, actorId: string | null): Promise<PrivacyPolicyRow> {
    const draft = { bodyZh: normalise(bodyZh), bodyEn: normalise(bodyEn) };
    const problem = policyDraftProblem(draft);
    if (problem)
      throw new PrivacyPolicyInvalidError(problem.field, problem.reason, POLICY_BODY_MAX);
    return this.tx.run(async (m) => {
      await this.tx.lock(m, 'privacy:policy');
      const row = await this.repo.insertNext(m, { ...draft, publishedBy: actorId });
      await this.audit.record(m, {
        action: 'privacy.policy_published',
        entityType: 'privacy_policy',
        entityId: String(row.version),
        after: {
          version: row.version,
          bodyZhChars: row.bodyZh.length,
          bodyEnChars: row.bodyEn.length,
        },
      });
      return row;
    });
  }
}

/** Textarea line ends (CRLF) become LF; surrounding blank space goes. */
function normalise(body: string): string {
  return (typeof body === 'string' ? body : '').replace(/\r\n?/g, '\n').trim();
}
