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
/** A policy version must say something in both languages, within the table's length. */
export class PrivacyPolicyInvalidError extends DomainError {
  constructor(field: 'bodyZh' | 'bodyEn', reason: 'empty' | 'tooLong', max: number) {
    super(
      'PRIVACY_POLICY_INVALID',
      words(`errors.privacy.policy.${reason}`, {
        field: words(`privacy.policy.field.${field}`),
        max,
      }),
      { field, reason, max },
    );
  }
}

/** Tax fields (address, ID or credit code) given without the tick agreeing to their use. */
export class TaxConsentRequiredError extends DomainError {
  constructor() {
    super('TAX_CONSENT_REQUIRED', words('errors.privacy.consent.taxConsentRequired'), {
      field: 'receiptTaxConsent',
    });
  }
}
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
/** A donor asked for the download of an address other than the one they signed in with. */
export class AccessOtherAddressError extends DomainError {
  constructor(signedInAs: string) {
    super(
      'PRIVACY_ACCESS_OTHER_ADDRESS',
      words('errors.privacy.access.otherAddress', { email: signedInAs }),
    );
  }
}

/** A retention run was asked for while another one (any process) is running. */
export class RetentionBusyError extends DomainError {
  constructor() {
    super('PRIVACY_RETENTION_BUSY', words('errors.privacy.retention.busy'));
  }
}
// end access and retention

// staff and exports
/** A staff account that was removed already (its contact data is gone; nothing is left to do). */
export class StaffAlreadyRemovedError extends DomainError {
  constructor() {
    super('STAFF_ALREADY_REMOVED', words('errors.privacy.staff.alreadyRemoved'));
  }
}

/** An administrator may not remove their own account (another administrator may). */
export class StaffRemoveSelfError extends DomainError {
  constructor() {
    super('STAFF_REMOVE_SELF', words('errors.privacy.staff.self'));
  }
}

/** Donor data leaves the system only through FINANCE or ADMIN. */
export class DonorExportForbiddenError extends DomainError {
  constructor() {
    super('DONOR_EXPORT_FORBIDDEN', words('errors.privacy.exports.forbidden'));
  }
}
// end staff and exports
