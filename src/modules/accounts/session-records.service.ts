import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { OneTimeLinksRepository } from './repositories/one-time-links.repository';
import { SessionsRepository, type DonorSession } from './repositories/sessions.repository';

/**
 * Sign-in records as personal data: what the privacy module reads for a donor's access download
 * and deletes when retention periods run out. Expired sessions and links already grant nothing
 * (every read checks expiry); deleting them keeps no more than the periods allow.
 */
@Injectable()
export class SessionRecordsService {
  constructor(
    private readonly sessions: SessionsRepository,
    private readonly links: OneTimeLinksRepository,
  ) {}

  donorSessions(email: string): Promise<DonorSession[]> {
    return this.sessions.forDonor(email);
  }

  deleteSessionsEndedBefore(m: EntityManager, cutoff: Date): Promise<number> {
    return this.sessions.deleteEndedBefore(m, cutoff);
  }

  deleteLinksExpiredBefore(m: EntityManager, cutoff: Date): Promise<number> {
    return this.links.deleteExpiredBefore(m, cutoff);
  }
}
