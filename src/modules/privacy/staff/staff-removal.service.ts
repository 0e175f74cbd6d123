import { Injectable } from '@nestjs/common';
import { TransactionService } from '../../../database/transaction.service';
import { UsersService } from '../../accounts/users.service';
import { AuditService } from '../../audit/audit.service';
import { OutboxService } from '../../notifications/outbox.service';
import { ErasedPeopleRepository } from '../erased-people.repository';

export interface StaffRemoval {
  id: string;
  name: string;
  erasedNo: number;
  removed: Record<string, number>;
}

/**
 * Removing a staff account (PIPL erasure of a staff member): in one transaction the person gets an
 * erased number (erased_people, STAFF_REMOVED), the account loses its email, password, roles,
 * scope, sessions, tokens and links, the emails sent to it lose their address, and the audit log's
 * mentions of the address become the person's name: who did what stays, contact data goes.
 */
@Injectable()
export class StaffRemovalService {
  constructor(
    private readonly tx: TransactionService,
    private readonly users: UsersService,
    private readonly erased: ErasedPeopleRepository,
    private readonly outbox: OutboxService,
    private readonly audit: AuditService,
  ) {}

  /** The account as the confirmation page shows it; refused as `remove` would refuse it. */
  preview(id: string, actorId: string | null) {
    return this.tx.run(async (m) => {
      const user = await this.users.lockForRemoval(m, id, actorId);
      return { id: user.id, name: user.name, email: user.email, roles: user.roles };
    });
  }

  remove(id: string, actorId: string | null): Promise<StaffRemoval> {
    return this.tx.run(async (m) => {
      const user = await this.users.lockForRemoval(m, id, actorId);
      const erasedNo = await this.erased.insert(m, {
        kind: 'STAFF',
        reason: 'STAFF_REMOVED',
        erasedBy: actorId,
      });
      const removed = {
        ...(await this.users.eraseAccount(m, user, erasedNo)),
        emails: await this.outbox.redactRecipient(m, user.email),
        auditRows: await this.audit.redactPersonalData(m, [user.email], user.name),
      };
      await this.erased.setRemoved(m, erasedNo, removed);
      await this.audit.record(m, {
        action: 'user.removed',
        entityType: 'user',
        entityId: id,
        before: { name: user.name, status: user.status, roles: user.roles },
        after: { name: user.name, status: 'REMOVED', erasedNo, removed },
      });
      return { id, name: user.name, erasedNo, removed };
    });
  }
}
