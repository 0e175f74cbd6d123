import { Injectable } from '@nestjs/common';
import { decodeCursor, encodeCursor } from '../../common/http/cursor';
import { TransactionService, type TransactionOptions } from '../../database/transaction.service';
import { AuditService } from '../audit/audit.service';
import { LedgerService } from '../ledger/ledger.service';
import type { Community } from './community.entity';
import type {
  CreateCommunityDto,
  CreateSubdistrictDto,
  FoundationProfileDto,
  UpdateCommunityDto,
  UpdateSubdistrictDto,
} from './dto/foundation.dto';
import {
  CommunityNotFoundError,
  CurrencyLockedError,
  DuplicateCodeError,
  FoundationNotConfiguredError,
  SubdistrictNotFoundError,
} from './foundation.errors';
import type { Foundation } from './foundation.entity';
import { FoundationRepository } from './foundation.repository';
import type { Subdistrict } from './subdistrict.entity';

/** The foundation's profile and settings, its subdistricts and communities. */
@Injectable()
export class FoundationService {
  constructor(
    private readonly tx: TransactionService,
    private readonly repo: FoundationRepository,
    private readonly ledger: LedgerService,
    private readonly audit: AuditService,
  ) {}

  async getProfile(opts: TransactionOptions = {}): Promise<Foundation> {
    const profile = await this.repo.findProfile(opts);
    if (!profile) throw new FoundationNotConfiguredError();
    return profile;
  }

  findProfile(opts: TransactionOptions = {}): Promise<Foundation | null> {
    return this.repo.findProfile(opts);
  }

  /** The foundation's currency (every fund holds it); CNY until a profile is set up. */
  async currency(opts: TransactionOptions = {}): Promise<string> {
    return (await this.findProfile(opts))?.currency.trim() ?? 'CNY';
  }

  /** Creates or replaces the profile. The currency is fixed once the ledger holds accounts. */
  saveProfile(dto: FoundationProfileDto, opts: TransactionOptions = {}): Promise<Foundation> {
    return this.tx.run(async (m) => {
      await this.tx.lock(m, 'foundation:profile');
      const current = await this.repo.findProfile({ within: m });
      if (
        current &&
        current.currency.trim() !== dto.currency &&
        (await this.ledger.hasAccounts({ within: m }))
      ) {
        throw new CurrencyLockedError(current.currency);
      }
      // Omitted, the qualification stays as it was (clients written before it existed keep it).
      const saved = await this.repo.saveProfile(m, {
        ...dto,
        fundraisingQualification:
          dto.fundraisingQualification ?? current?.fundraisingQualification ?? '',
      });
      await this.audit.record(m, {
        action: current ? 'foundation.settings_changed' : 'foundation.created',
        entityType: 'foundation',
        entityId: '1',
        before: current ?? undefined,
        after: saved,
      });
      return saved;
    }, opts);
  }

  listSubdistricts() {
    return this.repo.listSubdistricts();
  }

  async getSubdistrict(id: string, opts: TransactionOptions = {}): Promise<Subdistrict> {
    const subdistrict = await this.repo.findSubdistrict(id, opts);
    if (!subdistrict) throw new SubdistrictNotFoundError(id);
    return subdistrict;
  }

  createSubdistrict(
    dto: CreateSubdistrictDto,
    opts: TransactionOptions = {},
  ): Promise<Subdistrict> {
    return this.tx.run(async (m) => {
      await this.tx.lock(m, 'subdistricts:code');
      if (await this.repo.findSubdistrictByCode(dto.code, { within: m }))
        throw new DuplicateCodeError('subdistrict', dto.code);
      const created = await this.repo.insertSubdistrict(m, dto);
      await this.audit.record(m, {
        action: 'subdistrict.created',
        entityType: 'subdistrict',
        entityId: created.id,
        after: created,
      });
      return created;
    }, opts);
  }

  updateSubdistrict(id: string, dto: UpdateSubdistrictDto): Promise<Subdistrict> {
    return this.tx.run(async (m) => {
      await this.tx.lock(m, 'subdistricts:code');
      const current = await this.getSubdistrict(id, { within: m });
      if (
        dto.code &&
        dto.code !== current.code &&
        (await this.repo.findSubdistrictByCode(dto.code, { within: m }))
      ) {
        throw new DuplicateCodeError('subdistrict', dto.code);
      }
      await this.repo.updateSubdistrict(m, id, dto);
      const updated = await this.getSubdistrict(id, { within: m });
      await this.audit.record(m, {
        action: 'subdistrict.updated',
        entityType: 'subdistrict',
        entityId: id,
        before: current,
        after: updated,
      });
      return updated;
    });
  }

  async listCommunities(query: { subdistrictId?: string; limit: number; cursor?: string }) {
    const afterCode = query.cursor
      ? decodeCursor<{ code: string }>(query.cursor, (c) => typeof c.code === 'string').code
      : undefined;
    const rows = await this.repo.listCommunities({
      subdistrictId: query.subdistrictId,
      afterCode,
      limit: query.limit + 1,
    });
    const items = rows.slice(0, query.limit);
    return {
      items,
      nextCursor: rows.length > query.limit ? encodeCursor({ code: items.at(-1)!.code }) : null,
    };
  }

  async getCommunity(id: string, opts: TransactionOptions = {}): Promise<Community> {
    const community = await this.repo.findCommunity(id, opts);
    if (!community) throw new CommunityNotFoundError(id);
    return community;
  }

  findCommunities(ids: readonly string[], opts: TransactionOptions = {}): Promise<Community[]> {
    return this.repo.findCommunities(ids, opts);
  }

  findCommunityByCode(code: string, opts: TransactionOptions = {}): Promise<Community | null> {
    return this.repo.findCommunityByCode(code, opts);
  }

  findSubdistrictByCode(code: string, opts: TransactionOptions = {}): Promise<Subdistrict | null> {
    return this.repo.findSubdistrictByCode(code, opts);
  }

  countCommunities(opts: TransactionOptions = {}): Promise<number> {
    return this.repo.countCommunities(opts);
  }

  createCommunity(dto: CreateCommunityDto, opts: TransactionOptions = {}): Promise<Community> {
    return this.tx.run(async (m) => {
      await this.tx.lock(m, 'communities:code');
      await this.getSubdistrict(dto.subdistrictId, { within: m });
      if (await this.repo.findCommunityByCode(dto.code, { within: m }))
        throw new DuplicateCodeError('community', dto.code);
      const created = await this.repo.insertCommunity(m, dto);
      await this.audit.record(m, {
        action: 'community.created',
        entityType: 'community',
        entityId: created.id,
        after: created,
      });
      return created;
    }, opts);
  }

  updateCommunity(id: string, dto: UpdateCommunityDto): Promise<Community> {
    return this.tx.run(async (m) => {
      await this.tx.lock(m, 'communities:code');
      const current = await this.getCommunity(id, { within: m });
      if (dto.subdistrictId) await this.getSubdistrict(dto.subdistrictId, { within: m });
      if (
        dto.code &&
        dto.code !== current.code &&
        (await this.repo.findCommunityByCode(dto.code, { within: m }))
      ) {
        throw new DuplicateCodeError('community', dto.code);
      }
      await this.repo.updateCommunity(m, id, dto);
      const updated = await this.getCommunity(id, { within: m });
      await this.audit.record(m, {
        action: 'community.updated',
        entityType: 'community',
        entityId: id,
        before: current,
        after: updated,
      });
      return updated;
    });
  }
}
