import type { AuditAction } from './audit-actions';

export interface AuditRecord {
  /** `area.verb`, e.g. `fund.activated`, `allocation.created`, `user.roles_changed`. */
  action: AuditAction;
  entityType: string;
  entityId?: string | null;
  before?: unknown;
  after?: unknown;
  /** Who acted, when the request context does not know yet (a sign-in in progress). */
  actor?: { userId: string; email: string };
}

export interface AuditEntry {
  id: number;
  at: Date;
  actorUserId: string | null;
  actorLabel: string;
  ip: string | null;
  requestId: string | null;
  action: string;
  entityType: string;
  entityId: string | null;
  before: unknown;
  after: unknown;
}

export interface AuditFilter {
  action?: string;
  actorUserId?: string;
  entityType?: string;
  entityId?: string;
  from?: Date;
  to?: Date;
  beforeId?: number;
  limit: number;
}
