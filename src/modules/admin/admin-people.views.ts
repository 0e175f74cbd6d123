import { Injectable } from '@nestjs/common';
import { beijingDateTime } from '../../common/dates/beijing-time';
import { ROLES } from '../../common/auth/roles';
import type { FieldErrors } from '../../common/http/forms';
import type { ConfirmPage } from '../../common/views/confirm-step';
import { translate, type SupportedLocale } from '../../common/i18n/i18n';
import type { ApiToken, UserWithAccess } from '../accounts/accounts.types';
import { TokensService } from '../accounts/tokens.service';
import { UsersService } from '../accounts/users.service';
import { AuditService } from '../audit/audit.service';
import type { AuditEntry, AuditFilter } from '../audit/audit.types';
import { auditActionOptions, auditDetails, entityTypeText } from '../audit/audit-words';
import { auditActionText } from '../../common/i18n/status-words';
import { SUPPORTED_LOCALES as LOCALES } from '../../common/i18n/i18n';
import { StaffRemovalService } from '../privacy/staff/staff-removal.service';
import { AdminFundsViews } from './admin-funds.views';
import type { FormState } from './admin-view-helpers';
import { TOKEN_DAY_CHOICES } from './dto/admin-forms.dto';

/*
 * View models of the users, audit and token pages: plain data, never entities. Password hashes
 * and token hashes never reach a view (the services do not return them).
 */

const AUDIT_PAGE_SIZE = 50;
/** Long before/after values are cut for the page; the CSV export has them whole. */

function list(value: unknown): string[] {
  return Array.isArray(value)
    ? value.map(String)
    : typeof value === 'string' && value
      ? [value]
      : [];
}

function when(value: Date | null, locale: SupportedLocale): string | null {
  return value ? beijingDateTime(new Date(value), locale) : null;
}

/** The back-office page of the record an audit row is about, where it has one. */
function entityHref(entityType: string, id: string): string | null {
  const path = ENTITY_PAGES[entityType];
  return path && /^[0-9a-f-]{36}$/i.test(id) ? `${path}/${id}` : null;
}

const ENTITY_PAGES: Readonly<Record<string, string>> = {
  campaign: '/admin/campaigns',
  donation: '/admin/donations',
  fund: '/admin/funds',
  fund_expense: '/admin/expenses',
  grant_application: '/admin/grants/applications',
  grant_award: '/admin/grants/awards',
  grant_review: '/admin/grants/reviews',
  grant_round: '/admin/grants/rounds',
  user: '/admin/users',
};

export function auditQuery(filter: Record<string, string | undefined>, path: string): string {
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(filter)) if (v) search.set(k, v);
  const s = search.toString();
  return s ? `${path}?${s}` : path;
}

@Injectable()
export class AdminPeopleViews {
  constructor(
    private readonly users: UsersService,
    private readonly tokens: TokensService,
    private readonly audit: AuditService,
    private readonly fundsViews: AdminFundsViews,
    private readonly removal: StaffRemovalService,
  ) {}

  async usersPage(cursor: string | undefined, locale: SupportedLocale) {
    const page = await this.users.list({ limit: 100, cursor });
    const now = Date.now();
    return {
      title: translate(locale, 'admin.users.title'),
      users: page.items.map((u) => ({
        id: u.id,
        email: u.status === 'REMOVED' ? null : u.email,
        name: u.name,
        status: u.status,
        roles: u.roles.map((r) => `status.role.${r}`),
        locked: u.lockedUntil !== null && new Date(u.lockedUntil).getTime() > now,
        lastLogin: when(u.lastLoginAt, locale),
        href: `/admin/users/${u.id}`,
      })),
      nextUrl: page.nextCursor
        ? `/admin/users?cursor=${encodeURIComponent(page.nextCursor)}`
        : null,
      firstUrl: cursor ? '/admin/users' : null,
    };
  }

  /** The invite form, empty or as typed with errors beside the fields. */
  async inviteForm(locale: SupportedLocale, form?: FormState) {
    const values = form?.values ?? { locale };
    return {
      title: translate(locale, 'admin.users.invite'),
      values,
      errors: form?.errors ?? {},
      ...(await this.accessOptions(locale, values)),
    };
  }

  async editPage(userId: string, locale: SupportedLocale, form?: FormState) {
    const user = await this.users.get(userId);
    const values = form?.values ?? {
      name: user.name,
      locale: user.locale,
      roles: user.roles,
      communityIds: user.communityIds,
      fundIds: user.fundIds,
    };
    return {
      title: user.name,
      user: this.userSummary(user, locale),
      values,
      errors: form?.errors ?? {},
      ...(await this.accessOptions(locale, values)),
    };
  }

  /** The confirmation page of removing an account: who, and what goes. */
  async removeConfirmation(
    id: string,
    actorId: string,
    locale: SupportedLocale,
  ): Promise<ConfirmPage> {
    const t = (key: string, vars: Record<string, unknown> = {}) =>
      translate(locale, `privacy.staff.confirm.${key}`, vars);
    const user = await this.removal.preview(id, actorId);
    return {
      title: t('title'),
      lead: t('lead'),
      facts: [
        { label: t('name'), value: user.name },
        { label: t('email'), value: user.email },
        {
          label: t('roles'),
          value:
            user.roles
              .map((r) => translate(locale, `status.role.${r}`))
              .join(locale === 'en' ? ', ' : '、') || t('noRoles'),
        },
      ],
      effects: [t('contact'), t('audit', { name: user.name }), t('reinvite')],
      button: t('button'),
      back: `/admin/users/${id}`,
      danger: true,
    };
  }

  private userSummary(u: UserWithAccess, locale: SupportedLocale) {
    const removed = u.status === 'REMOVED';
    return {
      id: u.id,
      email: removed ? null : u.email,
      name: u.name,
      status: u.status,
      removed,
      invited: u.status === 'INVITED',
      active: u.status !== 'DEACTIVATED' && !removed,
      locked: u.lockedUntil !== null && new Date(u.lockedUntil).getTime() > Date.now(),
      failedLogins: u.failedLogins,
      lastLogin: when(u.lastLoginAt, locale),
      created: when(u.createdAt, locale),
    };
  }

  private async accessOptions(locale: SupportedLocale, values: Record<string, unknown>) {
    const roles = list(values.roles);
    return {
      roleOptions: ROLES.map((r) => ({
        value: r,
        label: `status.role.${r}`,
        checked: roles.includes(r),
      })),
      localeOptions: LOCALES.map((l) => ({
        value: l,
        label: `admin.locale.${l}`,
        selected: values.locale === l,
      })),
      communityOptions: await this.fundsViews.communityOptions(locale, list(values.communityIds)),
      fundOptions: await this.fundsViews.fundOptions(locale, list(values.fundIds)),
    };
  }

  async auditPage(
    filter: Omit<AuditFilter, 'limit' | 'beforeId'>,
    typed: Record<string, string | undefined>,
    cursor: string | undefined,
    locale: SupportedLocale,
    errors: FieldErrors = {},
  ) {
    const page =
      Object.keys(errors).length === 0
        ? await this.audit.list({ ...filter, limit: AUDIT_PAGE_SIZE, cursor })
        : { items: [] as AuditEntry[], nextCursor: null };
    return {
      title: translate(locale, 'admin.audit.title'),
      values: typed,
      errors,
      actions: auditActionOptions(locale, typed.action),
      rows: page.items.map((r) => ({
        id: r.id,
        at: r.at,
        actor: r.actorLabel,
        actorUserId: r.actorUserId,
        ip: r.ip,
        action: r.action,
        actionText: auditActionText(locale, r.action),
        entityType: r.entityType,
        entityText: entityTypeText(locale, r.entityType),
        entityId: r.entityId,
        entityHref: r.entityId ? entityHref(r.entityType, r.entityId) : null,
        details: auditDetails(locale, r),
      })),
      nextUrl: page.nextCursor
        ? auditQuery({ ...typed, cursor: page.nextCursor }, '/admin/audit')
        : null,
      firstUrl: cursor ? auditQuery(typed, '/admin/audit') : null,
      csvUrl: auditQuery(typed, '/admin/audit.csv'),
    };
  }

  /** An email in the actor filter is looked up; an unknown one is an error beside the field. */
  async actorId(actor: string | undefined): Promise<{ id?: string; unknown: boolean }> {
    if (!actor) return { unknown: false };
    if (!actor.includes('@')) return { id: actor, unknown: false };
    const user = await this.users.findByEmail(actor);
    return user ? { id: user.id, unknown: false } : { unknown: true };
  }

  async tokensPage(userId: string, locale: SupportedLocale, form?: FormState) {
    const tokens = await this.tokens.list(userId);
    const values = form?.values ?? { expiresInDays: '90' };
    return {
      title: translate(locale, 'admin.tokens.title'),
      tokens: tokens.map((t) => this.tokenRow(t, locale)),
      values,
      errors: form?.errors ?? {},
      dayOptions: TOKEN_DAY_CHOICES.map((d) => ({
        value: String(d),
        label: translate(locale, 'admin.tokens.days', { days: d }),
        selected: String(values.expiresInDays) === String(d),
      })),
    };
  }

  tokenRow(t: ApiToken, locale: SupportedLocale) {
    const now = Date.now();
    return {
      id: t.id,
      name: t.name,
      prefix: t.prefix,
      created: when(t.createdAt, locale),
      expires: when(t.expiresAt, locale),
      lastUsed: when(t.lastUsedAt, locale),
      revoked: t.revokedAt !== null,
      expired: new Date(t.expiresAt).getTime() <= now,
      active: t.revokedAt === null && new Date(t.expiresAt).getTime() > now,
    };
  }
}
