import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { DomainError } from '../../common/errors';
import { decodeCursor, encodeCursor } from '../../common/http/cursor';
import { TransactionService } from '../../database/transaction.service';
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
  DuplicateCodeError,
  FoundationNotConfiguredError,
  SubdistrictNotFoundError,
} from './foundation.errors';
import type { Foundation } from './foundation.entity';
import { FoundationRepository } from './foundation.repository';
import type { Subdistrict } from './subdistrict.entity';

interface Tx {
  within?: EntityManager;
}

/** The foundation's profile and settings, its subdistricts and communities. */
@Injectable()
export class FoundationService {
  constructor(
    private readonly tx: TransactionService,
    private readonly repo: FoundationRepository,
    private readonly ledger: LedgerService,
    private readonly audit: AuditService,
  ) {}

  async getProfile(opts: Tx = {}): Promise<Foundation> {
    const profile = await this.repo.findProfile(opts.within);
    if (!profile) throw new FoundationNotConfiguredError();
    return profile;
  }

  findProfile(opts: Tx = {}): Promise<Foundation | null> {
    return this.repo.findProfile(opts.within);
  }

  /** The foundation's currency (every fund holds it); CNY until a profile is set up. */
  async currency(opts: Tx = {}): Promise<string> {
    return (await this.findProfile(opts))?.currency.trim() ?? 'CNY';
  }

  /** Creates or replaces the profile. The currency is fixed once the ledger holds accounts. */
  saveProfile(dto: FoundationProfileDto, opts: Tx = {}): Promise<Foundation> {
    return this.tx.run(async (m) => {
      await this.tx.lock(m, 'foundation:profile');
      const current = await this.repo.findProfile(m);
      if (
        current &&
        current.currency.trim() !== dto.currency &&
        (await this.ledger.hasAccounts({ within: m }))
      ) {
        throw new DomainError(
          'CURRENCY_LOCKED',
          `The foundation's currency is ${current.currency} and its ledger already has accounts; the currency cannot change.`,
        );
      }
      const saved = await this.repo.saveProfile(m, dto);
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

  async getSubdistrict(id: string, opts: Tx = {}): Promise<Subdistrict> {
    const subdistrict = await this.repo.findSubdistrict(id, opts.within);
    if (!subdistrict) throw new SubdistrictNotFoundError(id);
    return subdistrict;
  }

  createSubdistrict(dto: CreateSubdistrictDto, opts: Tx = {}): Promise<Subdistrict> {
    return this.tx.run(async (m) => {
      await this.tx.lock(m, 'subdistricts:code');
      if (await this.repo.findSubdistrictByCode(dto.code, m))
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
        (await this.repo.findSubdistrictByCode(dto.code, m))
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

  async getCommunity(id: string, opts: Tx = {}): Promise<Community> {
    const community = await this.repo.findCommunity(id, opts.within);
    if (!community) throw new CommunityNotFoundError(id);
    return community;
  }

  findCommunities(ids: readonly string[], opts: Tx = {}): Promise<Community[]> {
    return this.repo.findCommunities(ids, opts.within);
  }

  findCommunityByCode(code: string, opts: Tx = {}): Promise<Community | null> {
    return this.repo.findCommunityByCode(code, opts.within);
  }

  findSubdistrictByCode(code: string, opts: Tx = {}): Promise<Subdistrict | null> {
    return this.repo.findSubdistrictByCode(code, opts.within);
  }

  countCommunities(opts: Tx = {}): Promise<number> {
    return this.repo.countCommunities(opts.within);
  }

  createCommunity(dto: CreateCommunityDto, opts: Tx = {}): Promise<Community> {
    return this.tx.run(async (m) => {
      await this.tx.lock(m, 'communities:code');
      await this.getSubdistrict(dto.subdistrictId, { within: m });
      if (await this.repo.findCommunityByCode(dto.code, m))
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
        (await this.repo.findCommunityByCode(dto.code, m))
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
