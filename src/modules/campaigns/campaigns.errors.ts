import { DomainError } from '../../common/errors';
import type { CampaignAction, CampaignStatus } from './campaign-status';

export class CampaignNotFoundError extends DomainError {
  constructor(ref: string) {
    super('CAMPAIGN_NOT_FOUND', `No campaign ${ref}.`);
  }
}

export class CampaignSlugTakenError extends DomainError {
  constructor(slug: string) {
    super(
      'CAMPAIGN_SLUG_TAKEN',
      `slug "${slug}" is already used by another campaign; choose another slug.`,
    );
  }
}

export class CampaignSlugLockedError extends DomainError {
  constructor(slug: string, status: CampaignStatus) {
    super(
      'CAMPAIGN_SLUG_LOCKED',
      `slug cannot change: campaign "${slug}" is ${status} and its address is public.`,
    );
  }
}

export class InvalidCampaignTransitionError extends DomainError {
  constructor(slug: string, status: CampaignStatus, action: CampaignAction) {
    super(
      'INVALID_CAMPAIGN_TRANSITION',
      `Campaign "${slug}" is ${status}; it cannot ${action} from there.`,
    );
  }
}

export class CampaignNotEditableError extends DomainError {
  constructor(slug: string, status: CampaignStatus, byLeader: boolean) {
    super(
      'CAMPAIGN_NOT_EDITABLE',
      status === 'ENDED'
        ? `Campaign "${slug}" has ended and can no longer be changed.`
        : byLeader
          ? `Campaign "${slug}" is ${status}; once published only foundation staff can change it.`
          : `Campaign "${slug}" is ${status} and cannot be changed.`,
    );
  }
}

export class CampaignNotPublishableError extends DomainError {
  constructor(slug: string, problems: string[]) {
    super(
      'CAMPAIGN_NOT_PUBLISHABLE',
      `Campaign "${slug}" cannot go live yet: ${problems.join('; ')}.`,
      { problems },
    );
  }
}

export class InvalidCampaignError extends DomainError {
  constructor(message: string) {
    super('INVALID_CAMPAIGN', message);
  }
}

/** An uploaded cover larger than the limit, by its byte count. */
export class ImageTooLargeError extends DomainError {
  constructor(message: string) {
    super('IMAGE_TOO_LARGE', message);
  }
}

/** An upload that is not a PNG, JPEG or WebP by its magic bytes (or not sent as one). */
export class InvalidImageError extends DomainError {
  constructor(message: string) {
    super('INVALID_IMAGE', message);
  }
}

/** An image that does not decode (damaged, cut short, or not what its first bytes claim). */
export class ImageUnreadableError extends DomainError {
  constructor(message: string) {
    super('IMAGE_UNREADABLE', message);
  }
}
