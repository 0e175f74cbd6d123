import { DomainError } from '../../common/errors';
import { words } from '../../common/i18n/i18n';

/**
 * The privacy module's coded errors. Sections belong to one part each (settings, policy and
 * consent, erasure, access and retention, staff and exports): add to your own section only.
 */

// settings
/** A retention period or the erasure deadline outside what the foundation may set. */
export class PrivacySettingsInvalidError extends DomainError {
  constructor(field: string, min: number, max: number) {
    super(
      'PRIVACY_SETTINGS_INVALID',
      words('errors.privacy.settings.outOfRange', {
        field: words(`privacy.settings.field.${field}`),
        min,
        max,
      }),
      { field, min, max },
    );
  }
}
// end settings

// policy and consent
// end policy and consent

// erasure
/** A second request while one is open: when it was asked, and by when it will be done. */
export class ErasureAlreadyRequestedError extends DomainError {
  constructor(open: { requestedAt: Date; dueAt: Date | null; confirmBy: Date }) {
    super(
      'ERASURE_ALREADY_REQUESTED',
      open.dueAt
        ? words('errors.privacy.erasure.alreadyRequested', {
            requestedOn: open.requestedAt,
            dueOn: open.dueAt,
          })
        : words('errors.privacy.erasure.awaitingConfirmation', {
            requestedOn: open.requestedAt,
            confirmBy: open.confirmBy,
          }),
      { requestedAt: open.requestedAt.toISOString(), dueAt: open.dueAt?.toISOString() ?? null },
    );
  }
}

/** The confirmation link's time ran out (the request expired with it: ask again). */
export class ErasureLinkExpiredError extends DomainError {
  constructor() {
    super('ERASURE_LINK_EXPIRED', words('errors.privacy.erasure.linkExpired'));
  }
}

/** A confirmation link never issued, or used already. */
export class ErasureLinkInvalidError extends DomainError {
  constructor() {
    super('ERASURE_LINK_INVALID', words('errors.privacy.erasure.linkInvalid'));
  }
}

export class ErasureRequestNotFoundError extends DomainError {
  constructor(id: string) {
    super('ERASURE_REQUEST_NOT_FOUND', words('errors.privacy.erasure.notFound'), { id });
  }
}

/** Only a confirmed request can be completed (one awaiting its link, expired or cancelled cannot). */
export class ErasureNotConfirmedError extends DomainError {
  constructor(status: string) {
    super('ERASURE_NOT_CONFIRMED', words('errors.privacy.erasure.notConfirmed'), { status });
  }
}

export class ErasureAlreadyCompletedError extends DomainError {
  constructor(no: number | null) {
    super('ERASURE_ALREADY_COMPLETED', words('errors.privacy.erasure.alreadyCompleted', { no }), {
      no,
    });
  }
}

/** A running monthly gift could not be stopped at the provider: nothing was erased. */
export class ErasureMonthlyStopFailedError extends DomainError {
  constructor() {
    super('ERASURE_MONTHLY_STOP_FAILED', words('errors.privacy.erasure.monthlyStopFailed'));
  }
}
// end erasure

// access and retention
// end access and retention

// staff and exports
// end staff and exports
