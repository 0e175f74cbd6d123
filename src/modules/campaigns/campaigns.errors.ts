import { DomainError } from '../../common/errors';
import { words, type Words } from '../../common/i18n/i18n';
import type { CampaignAction, CampaignStatus } from './campaign-status';

export class CampaignNotFoundError extends DomainError {
  constructor(ref: string) {
    super('CAMPAIGN_NOT_FOUND', words('errors.campaigns.notFound', { ref }));
  }
}

export class CampaignSlugTakenError extends DomainError {
  constructor(slug: string) {
    super('CAMPAIGN_SLUG_TAKEN', words('errors.campaigns.slugTaken', { slug }));
  }
}

export class CampaignSlugLockedError extends DomainError {
  constructor(slug: string, status: CampaignStatus) {
    super('CAMPAIGN_SLUG_LOCKED', words('errors.campaigns.slugLocked', { slug }), { status });
  }
}

export class InvalidCampaignTransitionError extends DomainError {
  constructor(slug: string, status: CampaignStatus, action: CampaignAction) {
    super('INVALID_CAMPAIGN_TRANSITION', words('errors.campaigns.transition', { slug }), {
      status,
      action,
    });
  }
}

export class CampaignNotEditableError extends DomainError {
  constructor(slug: string, status: CampaignStatus, byLeader: boolean) {
    super(
      'CAMPAIGN_NOT_EDITABLE',
      words(
        status === 'ENDED'
          ? 'errors.campaigns.ended'
          : byLeader
            ? 'errors.campaigns.publishedStaffOnly'
            : 'errors.campaigns.notEditable',
        { slug },
      ),
      { status },
    );
  }
}

export class CampaignNotPublishableError extends DomainError {
  constructor(slug: string, problems: Words[]) {
    super(
      'CAMPAIGN_NOT_PUBLISHABLE',
      words('errors.campaigns.notPublishable', { slug, problems }),
      {
        problems: problems.map((p) => p.key),
      },
    );
  }
}

export class InvalidCampaignError extends DomainError {
  constructor(what: Words) {
    super('INVALID_CAMPAIGN', what);
  }
}

/** An uploaded cover larger than the limit, by its byte count. */
export class ImageTooLargeError extends DomainError {
  constructor(what: Words) {
    super('IMAGE_TOO_LARGE', what);
  }
}

/** An upload that is not a PNG, JPEG or WebP by its magic bytes (or not sent as one). */
export class InvalidImageError extends DomainError {
  constructor(what: Words) {
    super('INVALID_IMAGE', what);
  }
}

/** An image that does not decode (damaged, cut short, or not what its first bytes claim). */
export class ImageUnreadableError extends DomainError {
  constructor(what: Words) {
    super('IMAGE_UNREADABLE', what);
  }
}
