import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { TooManyAttemptsError } from '../../common/errors';
import type { Actor } from '../../common/context/request-context';
import { AppConfig } from '../../config/app-config';
import { TransactionService } from '../../database/transaction.service';
import { AuditService } from '../audit/audit.service';
import { ConsentService } from '../privacy/policy/consent.service';
import { OutboxService } from '../notifications/outbox.service';
import { AccessService } from './access.service';
import {
  AccountLockedError,
  InvalidCredentialsError,
  LinkInvalidError,
  WeakPasswordError,
} from './accounts.errors';
import { UsersRepository } from './repositories/users.repository';
import { SessionsRepository } from './repositories/sessions.repository';
import { ApiTokensRepository } from './repositories/api-tokens.repository';
import { OneTimeLinksRepository } from './repositories/one-time-links.repository';
import type { OneTimePurpose, User } from './accounts.types';
import { RateLimiter, type RateLimit } from '../../common/rate-limit/rate-limiter';
import { hashPassword, PASSWORD_MAX, PASSWORD_MIN, verifyPassword } from './password';
import { hashSecret, newSecret } from '../../common/secrets';
import { words, type SupportedLocale } from '../../common/i18n/i18n';

export interface ClientMeta {
  /** For sign-in throttling only: not stored with the session. */
  ip?: string;
  /** The session the browser already had, replaced (never reused) at sign-in. */
  previousSessionToken?: string;
}

const RESET_LINK_MINUTES = 60;
const DONOR_LINK_MINUTES = 30;
const IP_WINDOW_MS = 15 * 60_000;
/** Emailed links (reset, donor sign-in) per address per 15 minutes. */
const LINKS_PER_WINDOW = 3;
const emailedLinks = (name: string): RateLimit => ({
  name,
  windowMs: IP_WINDOW_MS,
  max: LINKS_PER_WINDOW,
});
const RESET_LINKS = emailedLinks('reset-link-email');
const DONOR_LINKS = emailedLinks('donor-link-email');

export function assertPasswordStrength(password: string): void {
  if (password.length < PASSWORD_MIN || password.length > PASSWORD_MAX) {
    throw new WeakPasswordError(PASSWORD_MIN, PASSWORD_MAX);
  }
}

/**
 * Sign-in and everything around it: sessions (a new id at every sign-in), lockout after repeated
 * failures, per-IP throttling, password reset and invitations by one-time link, donors' magic
 * links. Failures never say whether an account exists.
 */
@Injectable()
export class AuthService {
  constructor(
    private readonly tx: TransactionService,
    private readonly users: UsersRepository,
    private readonly sessions: SessionsRepository,
    private readonly apiTokens: ApiTokensRepository,
    private readonly links: OneTimeLinksRepository,
    private readonly access: AccessService,
    private readonly audit: AuditService,
    private readonly outbox: OutboxService,
    private readonly config: AppConfig,
    private readonly limits: RateLimiter,
    private readonly consent: ConsentService,
  ) {}

  /**
   * Failed sign-ins per network address, and failures for emails without an account (so they
   * lock like real ones and reveal nothing); real accounts' failures are counted on their row.
   */
  private signInLimits(): { perIp: RateLimit; unknownEmail: RateLimit } {
    const { maxFailures, lockSeconds, ipLimit } = this.config.auth;
    return {
      perIp: { name: 'sign-in-ip', windowMs: IP_WINDOW_MS, max: ipLimit },
      unknownEmail: {
        name: 'sign-in-unknown-email',
        windowMs: lockSeconds * 1000,
        max: maxFailures,
      },
    };
  }

  async login(
    emailInput: string,
    password: string,
    meta: ClientMeta,
  ): Promise<{ sessionToken: string; user: User }> {
    const email = emailInput.trim().toLowerCase();
    const { maxFailures, lockSeconds } = this.config.auth;
    const limits = this.signInLimits();
    if (meta.ip && (await this.limits.exhausted(limits.perIp, meta.ip))) {
      throw new TooManyAttemptsError(words('errors.accounts.tooManySignIns'));
    }
    const outcome = await this.tx.run(async (m) => {
      const found = await this.users.findUserByEmail(email, { within: m });
      const user = found ? await this.users.lockUser(m, found.id) : null;
      if (!user) {
        await verifyPassword(null, password);
        const within = await this.limits.allows(limits.unknownEmail, email);
        return within ? ('invalid' as const) : ('locked' as const);
      }
      const now = Date.now();
      // The password is checked in every case (a dummy hash without one), so the answer takes
      // the same time for locked, invited, deactivated and unknown accounts.
      const matches = await verifyPassword(user.passwordHash, password);
      if (user.lockedUntil && user.lockedUntil.getTime() > now) return 'locked' as const;
      const ok = user.status === 'ACTIVE' && matches;
      if (!ok) {
        const failed = user.failedLogins + 1;
        const lock = failed >= maxFailures;
        await this.users.updateUser(m, user.id, {
          failedLogins: lock ? 0 : failed,
          lockedUntil: lock ? new Date(now + lockSeconds * 1000) : user.lockedUntil,
        });
        if (lock) {
          await this.audit.record(m, {
            actor: { userId: user.id, email: user.email },
            action: 'user.locked',
            entityType: 'user',
            entityId: user.id,
            after: { lockedForSeconds: lockSeconds, failures: failed },
          });
        }
        return 'invalid' as const;
      }
      await this.users.updateUser(m, user.id, {
        failedLogins: 0,
        lockedUntil: null,
        lastLoginAt: new Date(),
      });
      const sessionToken = await this.startSession(m, { userId: user.id }, meta);
      await this.audit.record(m, {
        action: 'auth.signed_in',
        entityType: 'user',
        entityId: user.id,
        actor: { userId: user.id, email: user.email },
      });
      return { sessionToken, user };
    });
    if (outcome !== 'locked' && outcome !== 'invalid') return outcome;
    // Only failures count against the network's allowance (an office behind one NAT signs in a lot).
    if (meta.ip) await this.limits.hit(limits.perIp, meta.ip);
    if (outcome === 'locked') throw new AccountLockedError(Math.ceil(lockSeconds / 60));
    throw new InvalidCredentialsError();
  }

  /** Ends the browser session (its row is deleted, so the cookie is worthless). */
  async logout(sessionToken: string | undefined): Promise<void> {
    if (sessionToken) await this.sessions.deleteSession(hashSecret(sessionToken));
  }

  /** The actor behind a session cookie, or undefined when it is unknown or expired. */
  async actorForSession(sessionToken: string): Promise<Actor | undefined> {
    const id = hashSecret(sessionToken);
    const { sessionIdleSeconds, sessionMaxSeconds } = this.config.auth;
    const session = await this.sessions.touchSession(id, sessionIdleSeconds, sessionMaxSeconds);
    if (!session) return undefined;
    if (session.donorEmail) return { kind: 'donor', email: session.donorEmail, sessionId: id };
    return (await this.access.actorFor(session.userId!, 'session', id)) ?? undefined;
  }

  /** Sends a reset link to an active account; answers the same whether or not one exists. */
  async requestPasswordReset(emailInput: string): Promise<void> {
    const email = emailInput.trim().toLowerCase();
    if (!(await this.limits.allows(RESET_LINKS, email))) return; // same answer, no email
    await this.tx.run(async (m) => {
      const user = await this.users.findUserByEmail(email, { within: m });
      if (!user || user.status !== 'ACTIVE') return;
      await this.links.expireOneTimeTokens(m, 'PASSWORD_RESET', email);
      const token = await this.issueLink(m, 'PASSWORD_RESET', email, RESET_LINK_MINUTES, user.id);
      await this.outbox.enqueue(m, {
        template: 'password-reset',
        to: email,
        locale: user.locale,
        data: {
          url: this.link('/password/reset', token),
          expiresAt: this.minutesFromNow(RESET_LINK_MINUTES),
        },
      });
      await this.audit.record(m, {
        action: 'user.password_reset_requested',
        entityType: 'user',
        entityId: user.id,
      });
    });
  }

  /** Sets a new password from a one-time link; every session of the account ends. */
  async resetPassword(token: string, password: string): Promise<void> {
    assertPasswordStrength(password);
    const passwordHash = await hashPassword(password);
    await this.tx.run(async (m) => {
      const link = await this.links.consumeOneTimeToken(m, 'PASSWORD_RESET', hashSecret(token));
      if (!link?.userId) throw new LinkInvalidError();
      await this.users.updateUser(m, link.userId, {
        passwordHash,
        failedLogins: 0,
        lockedUntil: null,
      });
      await this.sessions.deleteUserSessions(m, link.userId);
      // A reset is what people do when they fear a leak: every access token ends too.
      await this.apiTokens.revokeUserTokens(m, link.userId);
      await this.audit.record(m, {
        action: 'user.password_reset',
        entityType: 'user',
        entityId: link.userId,
      });
    });
  }

  /** Accepts an invitation: sets the password, activates the account and signs in. */
  async acceptInvite(
    token: string,
    password: string,
    meta: ClientMeta,
  ): Promise<{ sessionToken: string }> {
    assertPasswordStrength(password);
    const passwordHash = await hashPassword(password);
    return this.tx.run(async (m) => {
      const link = await this.links.consumeOneTimeToken(m, 'INVITE', hashSecret(token));
      const user = link?.userId ? await this.users.lockUser(m, link.userId) : null;
      if (!user || user.status !== 'INVITED') throw new LinkInvalidError();
      await this.users.updateUser(m, user.id, {
        passwordHash,
        status: 'ACTIVE',
        lastLoginAt: new Date(),
      });
      await this.audit.record(m, {
        action: 'user.invite_accepted',
        entityType: 'user',
        entityId: user.id,
        before: { status: 'INVITED' },
        after: { status: 'ACTIVE' },
      });
      return { sessionToken: await this.startSession(m, { userId: user.id }, meta) };
    });
  }

  /** Emails a donor a sign-in link (no password). Same answer for every address. */
  async requestDonorLink(emailInput: string, locale: 'zh-CN' | 'en'): Promise<void> {
    const email = emailInput.trim().toLowerCase();
    // A few links per address per window: nobody can flood an inbox or keep voiding its link.
    if (!(await this.limits.allows(DONOR_LINKS, email))) return;
    await this.tx.run(async (m) => {
      await this.links.expireOneTimeTokens(m, 'DONOR_LOGIN', email);
      const token = await this.issueLink(m, 'DONOR_LOGIN', email, DONOR_LINK_MINUTES);
      await this.outbox.enqueue(m, {
        template: 'donor-magic-link',
        to: email,
        locale,
        data: {
          url: this.link('/donor/verify', token),
          expiresAt: this.minutesFromNow(DONOR_LINK_MINUTES),
        },
      });
    });
  }

  /** Signs a donor in from their emailed link; the sign-in's consent commits with the session. */
  async verifyDonorLink(
    token: string,
    meta: ClientMeta,
    locale: SupportedLocale = 'zh-CN',
  ): Promise<{ sessionToken: string; email: string }> {
    return this.tx.run(async (m) => {
      const link = await this.links.consumeOneTimeToken(m, 'DONOR_LOGIN', hashSecret(token));
      if (!link) throw new LinkInvalidError();
      await this.consent.record(m, { subject: link.email, purpose: 'PORTAL_SIGN_IN', locale });
      return {
        sessionToken: await this.startSession(m, { donorEmail: link.email }, meta),
        email: link.email,
      };
    });
  }

  /**
   * Uses a one-time link another service issued (an erasure's confirmation), in the caller's
   * transaction: its address, or why not (expired; unknown or used already).
   */
  async takeLink(
    m: EntityManager,
    purpose: OneTimePurpose,
    token: string,
  ): Promise<{ state: 'ok' | 'expired'; email: string } | { state: 'unknown' }> {
    if (!/^[A-Za-z0-9_-]{20,100}$/.test(token)) return { state: 'unknown' };
    return this.links.takeOneTimeToken(m, purpose, hashSecret(token));
  }

  /**
   * Closes the donor portal to an address (erasure), in the caller's transaction: its sessions
   * and its sign-in and confirmation links are deleted. Returns how many rows of each.
   */
  async eraseDonor(
    m: EntityManager,
    email: string,
  ): Promise<{ sessions: number; oneTimeLinks: number }> {
    return {
      sessions: await this.sessions.deleteDonorSessions(m, email),
      oneTimeLinks: await this.links.deleteDonorTokens(m, email),
    };
  }

  /** One-time links for other services (invitations). Returns the secret to put in the link. */
  async issueLink(
    m: EntityManager,
    purpose: OneTimePurpose,
    email: string,
    minutes: number,
    userId?: string,
  ): Promise<string> {
    const token = newSecret();
    await this.links.insertOneTimeToken(m, {
      purpose,
      tokenHash: hashSecret(token),
      userId,
      email,
      expiresAt: new Date(Date.now() + minutes * 60_000),
    });
    return token;
  }

  link(path: string, token: string): string {
    return `${this.config.publicUrl}${path}?token=${encodeURIComponent(token)}`;
  }

  minutesFromNow(minutes: number): Date {
    return new Date(Date.now() + minutes * 60_000);
  }

  private async startSession(
    m: EntityManager,
    subject: { userId?: string; donorEmail?: string },
    meta: ClientMeta,
  ): Promise<string> {
    if (meta.previousSessionToken)
      await this.sessions.deleteSession(hashSecret(meta.previousSessionToken), { within: m });
    const token = newSecret();
    // Minimisation (PIPL): no feature reads a session's address or browser, so neither is kept;
    // the audit log has the address of each action, and sign-in throttling needs none stored here.
    await this.sessions.insertSession(m, {
      id: hashSecret(token),
      ...subject,
      expiresAt: new Date(Date.now() + this.config.auth.sessionIdleSeconds * 1000),
    });
    return token;
  }
}
