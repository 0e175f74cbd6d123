import { Injectable } from '@nestjs/common';
import { isUUID } from 'class-validator';
import type { EntityManager } from 'typeorm';
import type { Role } from '../../common/auth/roles';
import { type Actor, RequestContext } from '../../common/context/request-context';
import { DomainError } from '../../common/errors';
import { decodeCursor, encodeCursor } from '../../common/http/cursor';
import { assertSafeAmount, MoneyFormatError } from '../../common/money';
import { TransactionService } from '../../database/transaction.service';
import { AuditService } from '../audit/audit.service';
import { FundsService } from '../funds/funds.service';
import type { Campaign } from './campaign.entity';
import { renderStory } from './campaign-markdown';
import {
  campaignProgress,
  campaignShapeProblem,
  canEditCampaign,
  isAcceptingGifts,
  isSlugMutable,
  nextCampaignStatus,
  PUBLIC_CAMPAIGN_STATUSES,
  publishProblems,
  type CampaignAction,
  type CampaignEditor,
  type CampaignStatus,
  type CampaignWindow,
} from './campaign-status';
import type { CampaignUpdate } from './campaign-update.entity';
import {
  CampaignNotEditableError,
  CampaignNotFoundError,
  CampaignNotPublishableError,
  CampaignSlugLockedError,
  CampaignSlugTakenError,
  InvalidCampaignError,
  InvalidCampaignTransitionError,
} from './campaigns.errors';
import { CampaignsRepository, type TotalsRow } from './campaigns.repository';
import type {
  CampaignForDonation,
  CampaignSummary,
  CampaignTotals,
  CampaignUpdateView,
  CampaignView,
  CoverUpload,
  Page,
} from './campaigns.types';
import {
  COVER_MAX_BYTES,
  extractMultipartFile,
  MultipartError,
  NOT_AN_IMAGE,
  sniffImage,
} from './cover-image';
import { CoverStorage } from './cover-storage';
import { transcodeCover } from './cover-transcoder';
import type {
  CampaignListQueryDto,
  CreateCampaignDto,
  CreateCampaignUpdateDto,
  UpdateCampaignDto,
} from './dto/campaigns.dto';

/**
 * Rows of campaign_totals per campaign. A gift lands on slot pg_backend_pid() % N, so concurrent
 * settlements on different connections update different rows; reads sum N rows.
 */
export const CAMPAIGN_TOTAL_SLOTS = 8;

/** Staff who create and edit any campaign; only ADMIN and FINANCE publish and end. */
export const CAMPAIGN_STAFF_ROLES: readonly Role[] = ['ADMIN', 'FINANCE', 'GRANTS_OFFICER'];
export const CAMPAIGN_PUBLISHER_ROLES: readonly Role[] = ['ADMIN', 'FINANCE'];

const EDITABLE_FIELDS = [
  'slug',
  'titleZh',
  'titleEn',
  'storyZh',
  'storyEn',
  'goalMinor',
  'minAmountMinor',
  'presetAmountsMinor',
  'startsAt',
  'endsAt',
] as const satisfies readonly (keyof UpdateCampaignDto & keyof Campaign)[];

const NO_TOTALS: TotalsRow = { raisedMinor: 0, matchedMinor: 0, gifts: 0, donors: 0 };

/**
 * Campaigns: drafting by community leaders and staff, publishing by ADMIN/FINANCE, news updates,
 * cover images, and the totals that donation settlement keeps (recordGift/recordRefund
 * run inside the settlement's transaction). Scope checks live here because the fund of a new
 * campaign arrives in the body, where the route guard cannot see it.
 */
@Injectable()
export class CampaignsService {
  constructor(
    private readonly tx: TransactionService,
    private readonly repo: CampaignsRepository,
    private readonly funds: FundsService,
    private readonly audit: AuditService,
    private readonly covers: CoverStorage,
  ) {}

  create(dto: CreateCampaignDto): Promise<CampaignView> {
    return this.tx.run(async (m) => {
      this.editorFor(dto.fundId);
      const fund = (await this.funds.lockForMovement(m, [dto.fundId])).get(dto.fundId)!;
      const data = {
        slug: dto.slug,
        fundId: fund.id,
        status: 'DRAFT' as const,
        titleZh: dto.titleZh,
        titleEn: dto.titleEn,
        storyZh: dto.storyZh ?? '',
        storyEn: dto.storyEn ?? '',
        currency: fund.currency,
        goalMinor: dto.goalMinor ?? null,
        minAmountMinor: dto.minAmountMinor ?? 100,
        presetAmountsMinor: dto.presetAmountsMinor ?? [],
        startsAt: dto.startsAt ?? null,
        endsAt: dto.endsAt ?? null,
        coverImage: null,
        createdBy: userId(RequestContext.actor()),
      };
      assertShape(data);
      await this.claimSlug(m, data.slug);
      const campaign = await this.repo.insert(m, data);
      await this.repo.createTotalsSlots(m, campaign.id, CAMPAIGN_TOTAL_SLOTS);
      await this.audit.record(m, {
        action: 'campaign.created',
        entityType: 'campaign',
        entityId: campaign.id,
        after: campaign,
      });
      return this.view(m, campaign);
    });
  }

  update(id: string, dto: UpdateCampaignDto): Promise<CampaignView> {
    return this.tx.run(async (m) => {
      const campaign = await this.lockEditable(m, id);
      const changes: Partial<Campaign> = {};
      for (const field of EDITABLE_FIELDS) {
        const value = dto[field];
        if (value !== undefined && !sameValue(value, campaign[field])) {
          (changes as Record<string, unknown>)[field] = value;
        }
      }
      if (Object.keys(changes).length === 0) return this.view(m, campaign);
      if (changes.slug !== undefined) {
        if (!isSlugMutable(campaign.status)) {
          throw new CampaignSlugLockedError(campaign.slug, campaign.status);
        }
        await this.claimSlug(m, changes.slug);
      }
      assertShape({ ...campaign, ...changes });
      await this.repo.update(m, id, changes);
      const before = Object.fromEntries(
        Object.keys(changes).map((k) => [k, campaign[k as keyof Campaign]]),
      );
      await this.audit.record(m, {
        action: 'campaign.updated',
        entityType: 'campaign',
        entityId: id,
        before,
        after: changes,
      });
      return this.view(m, (await this.repo.find(id, m))!);
    });
  }

  publish(id: string): Promise<CampaignView> {
    return this.transition(id, 'publish');
  }

  /** Ends a live campaign: it stops taking gifts and its page stays as a record. */
  end(id: string): Promise<CampaignView> {
    return this.transition(id, 'end');
  }

  /**
   * Replaces the cover image. The bytes decide the type (PNG, JPEG or WebP by magic bytes), and the
   * image is decoded and written again (transcodeCover) so only its pixels are stored; the file is
   * written before the transaction and removed again if the transaction fails, and the previous
   * cover is removed only after the new one is committed.
   */
  async setCover(id: string, upload: CoverUpload): Promise<CampaignView> {
    const data = coverBytes(upload);
    if (data.length > COVER_MAX_BYTES) {
      throw new DomainError(
        'IMAGE_TOO_LARGE',
        `file is ${data.length} bytes; a cover image may be at most ${COVER_MAX_BYTES} bytes (2 MB).`,
      );
    }
    if (!sniffImage(data)) {
      throw new DomainError('INVALID_IMAGE', NOT_AN_IMAGE);
    }
    // Refuse before decoding or writing anything when the caller could not change this campaign.
    await this.tx.run(async (m) => {
      const campaign = await this.repo.find(id, m);
      if (!campaign) throw new CampaignNotFoundError(`with id ${id}`);
      this.assertMayEdit(campaign);
    });
    const cover = await transcodeCover(data);
    const { format } = cover;
    const name = await this.covers.save(cover.data, format);
    let previous: string | null = null;
    try {
      const view = await this.tx.run(async (m) => {
        const campaign = await this.lockEditable(m, id);
        previous = campaign.coverImage;
        await this.repo.update(m, id, { coverImage: name });
        await this.audit.record(m, {
          action: 'campaign.cover_changed',
          entityType: 'campaign',
          entityId: id,
          before: { coverImage: campaign.coverImage },
          after: {
            coverImage: name,
            format,
            bytes: cover.data.length,
            width: cover.width,
            height: cover.height,
          },
        });
        return this.view(m, { ...campaign, coverImage: name });
      });
      if (previous) await this.covers.remove(previous);
      return view;
    } catch (error) {
      await this.covers.remove(name);
      throw error;
    }
  }

  async list(query: CampaignListQueryDto): Promise<Page<CampaignSummary>> {
    let statuses: readonly CampaignStatus[] = PUBLIC_CAMPAIGN_STATUSES;
    let fundIds: readonly string[] | undefined;
    if (query.status === 'DRAFT') {
      const actor = RequestContext.actor();
      statuses = ['DRAFT'];
      if (!isStaff(actor)) {
        if (actor?.kind !== 'user' || !actor.roles.includes('COMMUNITY_LEADER')) {
          throw denied(actor, 'Drafts are listed for foundation staff and community leaders only.');
        }
        fundIds = actor.fundIds;
      }
    } else if (query.status) {
      statuses = [query.status];
    }
    const after = query.cursor
      ? decodeCursor<{ t: string; id: string }>(
          query.cursor,
          (c) => typeof c.t === 'string' && !Number.isNaN(Date.parse(c.t)) && isUUID(c.id),
        )
      : undefined;
    return this.tx.run(async (m) => {
      const rows = await this.repo.list(
        {
          statuses,
          fundId: query.fundId,
          fundIds,
          after: after && { sortAt: new Date(after.t), id: after.id },
          limit: query.limit + 1,
        },
        m,
      );
      const page = rows.slice(0, query.limit);
      const totals = await this.repo.totals(
        page.map((c) => c.id),
        m,
      );
      const last = page.at(-1);
      return {
        items: page.map((c) => summary(c, totals.get(c.id) ?? NO_TOTALS)),
        nextCursor:
          rows.length > query.limit && last
            ? encodeCursor({ t: (last.publishedAt ?? last.createdAt).toISOString(), id: last.id })
            : null,
      };
    });
  }

  /**
   * A campaign by slug or id, as the caller may see it: LIVE and ENDED for everyone, a DRAFT only
   * for those who may edit it (anyone else gets the same 404 as for a campaign that does not exist).
   */
  async getVisible(ref: string): Promise<CampaignView> {
    return this.tx.run(async (m) => this.view(m, await this.findVisible(ref, m)));
  }

  async totalsVisible(ref: string): Promise<CampaignTotals> {
    const campaign = await this.findVisible(ref);
    return toTotals((await this.repo.totals([campaign.id])).get(campaign.id), campaign.goalMinor);
  }

  /** A campaign by slug with totals and rendered stories, any status (callers decide), or null. */
  async findBySlug(slug: string, manager?: EntityManager): Promise<CampaignView | null> {
    return this.tx.run(
      async (m) => {
        const campaign = await this.repo.findBySlug(slug, m);
        return campaign ? this.view(m, campaign) : null;
      },
      { within: manager },
    );
  }

  /**
   * What donation intake needs, by slug. Drafts are not public, so they answer as not found; an
   * ENDED campaign is returned (isAcceptingGifts says no) so intake can say why.
   */
  async getForDonation(slug: string, manager?: EntityManager): Promise<CampaignForDonation> {
    const campaign = await this.repo.findBySlug(slug, manager);
    if (!campaign || campaign.status === 'DRAFT') {
      throw new CampaignNotFoundError(`with slug "${slug}"`);
    }
    return forDonation(campaign);
  }

  /** The same by id, any status: settlement of a gift to a campaign that has ended since. */
  async getById(id: string, manager?: EntityManager): Promise<CampaignForDonation> {
    const campaign = isUUID(id) ? await this.repo.find(id, manager) : null;
    if (!campaign) throw new CampaignNotFoundError(`with id ${id}`);
    return forDonation(campaign);
  }

  /** Several campaigns by id in one query (for lists of gifts), keyed by id; unknown ids are left out. */
  async getManyById(ids: Iterable<string>): Promise<Map<string, CampaignForDonation>> {
    const wanted = [...new Set(ids)].filter((id) => isUUID(id));
    const found = await this.repo.findMany(wanted);
    return new Map(found.map((c) => [c.id, forDonation(c)]));
  }

  /** Pure: LIVE and now within [startsAt, endsAt). */
  isAcceptingGifts(campaign: CampaignWindow, now: Date): boolean {
    return isAcceptingGifts(campaign, now);
  }

  /** Sum over the slots: O(1) in the number of gifts. */
  async totals(campaignId: string, manager?: EntityManager): Promise<CampaignTotals> {
    const campaign = isUUID(campaignId) ? await this.repo.find(campaignId, manager) : null;
    if (!campaign) throw new CampaignNotFoundError(`with id ${campaignId}`);
    const rows = await this.repo.totals([campaignId], manager);
    return toTotals(rows.get(campaignId), campaign.goalMinor);
  }

  /**
   * Counts a settled gift and its match, inside the settlement's transaction: raised += amount,
   * matched += match, gifts += 1, and donors += 1 the first time this donor key gives to this
   * campaign (exact under concurrency: campaign_donors' primary key decides). One statement, as it
   * runs while the settlement holds the matching pool.
   */
  async recordGift(
    manager: EntityManager,
    campaignId: string,
    gift: { amountMinor: number; matchedMinor?: number; donorKey: string },
  ): Promise<void> {
    assertAmount(gift.amountMinor, 'amountMinor', false);
    const matchedMinor = gift.matchedMinor ?? 0;
    assertAmount(matchedMinor, 'matchedMinor', true);
    if (typeof gift.donorKey !== 'string' || gift.donorKey.length === 0) {
      throw new DomainError('VALIDATION_FAILED', 'donorKey must be a non-empty string');
    }
    const found = await this.repo.addGift(
      manager,
      campaignId,
      { ...gift, matchedMinor },
      CAMPAIGN_TOTAL_SLOTS,
    );
    if (!found) throw new CampaignNotFoundError(`with id ${campaignId}`);
  }

  /** Takes a refund (and the match given back) off the totals; gift and donor counts stay. */
  async recordRefund(
    manager: EntityManager,
    campaignId: string,
    refund: { amountMinor: number; matchedMinor: number },
  ): Promise<void> {
    assertAmount(refund.amountMinor, 'amountMinor', true);
    assertAmount(refund.matchedMinor, 'matchedMinor', true);
    if (refund.amountMinor === 0 && refund.matchedMinor === 0) return;
    const found = await this.repo.addAmounts(
      manager,
      campaignId,
      { raisedMinor: -refund.amountMinor, matchedMinor: -refund.matchedMinor },
      CAMPAIGN_TOTAL_SLOTS,
    );
    if (!found) throw new CampaignNotFoundError(`with id ${campaignId}`);
  }

  /** Adds a match posted after its gift was counted (a withheld match released by FINANCE). */
  async recordLateMatch(
    manager: EntityManager,
    campaignId: string,
    matchedMinor: number,
  ): Promise<void> {
    assertAmount(matchedMinor, 'matchedMinor', false);
    const found = await this.repo.addAmounts(
      manager,
      campaignId,
      { raisedMinor: 0, matchedMinor },
      CAMPAIGN_TOTAL_SLOTS,
    );
    if (!found) throw new CampaignNotFoundError(`with id ${campaignId}`);
  }

  /** Posts a news update: staff on any campaign, a community leader on their funds' campaigns. */
  createUpdate(id: string, dto: CreateCampaignUpdateDto): Promise<CampaignUpdateView> {
    return this.tx.run(async (m) => {
      const campaign = await this.repo.find(id, m);
      if (!campaign) throw new CampaignNotFoundError(`with id ${id}`);
      this.editorFor(campaign.fundId);
      const update = await this.repo.insertUpdate(m, {
        campaignId: campaign.id,
        titleZh: dto.titleZh,
        titleEn: dto.titleEn,
        bodyZh: dto.bodyZh ?? '',
        bodyEn: dto.bodyEn ?? '',
        createdBy: userId(RequestContext.actor()),
      });
      await this.audit.record(m, {
        action: 'campaign.update_posted',
        entityType: 'campaign',
        entityId: campaign.id,
        after: update,
      });
      return updateView(update);
    });
  }

  async listUpdates(
    ref: string,
    query: { limit: number; cursor?: string },
  ): Promise<Page<CampaignUpdateView>> {
    const after = query.cursor
      ? decodeCursor<{ t: string; id: string }>(
          query.cursor,
          (c) => typeof c.t === 'string' && !Number.isNaN(Date.parse(c.t)) && isUUID(c.id),
        )
      : undefined;
    return this.tx.run(async (m) => {
      const campaign = await this.findVisible(ref, m);
      const rows = await this.repo.listUpdates(
        campaign.id,
        {
          after: after && { publishedAt: new Date(after.t), id: after.id },
          limit: query.limit + 1,
        },
        m,
      );
      const page = rows.slice(0, query.limit);
      const last = page.at(-1);
      return {
        items: page.map(updateView),
        nextCursor:
          rows.length > query.limit && last
            ? encodeCursor({ t: last.publishedAt.toISOString(), id: last.id })
            : null,
      };
    });
  }

  private transition(id: string, action: CampaignAction): Promise<CampaignView> {
    return this.tx.run(async (m) => {
      const actor = RequestContext.actor();
      if (actor?.kind !== 'system' && !hasAnyRole(actor, CAMPAIGN_PUBLISHER_ROLES)) {
        throw denied(actor, 'Only ADMIN or FINANCE may publish or end a campaign.');
      }
      const campaign = await this.repo.lock(m, id);
      if (!campaign) throw new CampaignNotFoundError(`with id ${id}`);
      const next = nextCampaignStatus(campaign.status, action);
      if (!next) throw new InvalidCampaignTransitionError(campaign.slug, campaign.status, action);
      const now = new Date();
      let changes: Partial<Campaign>;
      if (action === 'publish') {
        const problems = publishProblems(campaign, await this.fundStatus(m, campaign.fundId), now);
        if (problems.length > 0) throw new CampaignNotPublishableError(campaign.slug, problems);
        changes = { status: next, publishedAt: now, publishedBy: userId(actor) };
      } else {
        changes = { status: next, endedAt: now };
      }
      await this.repo.update(m, id, changes);
      await this.audit.record(m, {
        action: action === 'publish' ? 'campaign.published' : 'campaign.ended',
        entityType: 'campaign',
        entityId: id,
        before: { status: campaign.status },
        after: { status: next },
      });
      return this.view(m, (await this.repo.find(id, m))!);
    });
  }

  /** The fund's status under a share lock, so it cannot close while the campaign goes live. */
  private async fundStatus(m: EntityManager, fundId: string): Promise<string> {
    try {
      return (await this.funds.lockForMovement(m, [fundId])).get(fundId)!.status;
    } catch (error) {
      if (error instanceof DomainError && error.code === 'FUND_CLOSED') return 'CLOSED';
      throw error;
    }
  }

  private async lockEditable(m: EntityManager, id: string): Promise<Campaign> {
    const campaign = await this.repo.lock(m, id);
    if (!campaign) throw new CampaignNotFoundError(`with id ${id}`);
    this.assertMayEdit(campaign);
    return campaign;
  }

  private assertMayEdit(campaign: Campaign): void {
    const editor = this.editorFor(campaign.fundId);
    if (!canEditCampaign(campaign.status, editor)) {
      throw new CampaignNotEditableError(campaign.slug, campaign.status, editor === 'leader');
    }
  }

  /** Staff (or the CLI) edit any campaign; a community leader those of funds in their scope. */
  private editorFor(fundId: string): CampaignEditor {
    const actor = RequestContext.actor();
    const editor = editorKind(actor, fundId);
    if (editor) return editor;
    throw denied(
      actor,
      'Your account may not manage campaigns of this fund: community leaders work on campaigns of their own funds.',
    );
  }

  /** Under a transaction-scoped advisory lock, so the friendly check decides a race for a slug. */
  private async claimSlug(m: EntityManager, slug: string): Promise<void> {
    await this.tx.lock(m, `campaigns:slug:${slug}`);
    if (await this.repo.findBySlug(slug, m)) throw new CampaignSlugTakenError(slug);
  }

  private async findVisible(ref: string, manager?: EntityManager): Promise<Campaign> {
    const campaign = isUUID(ref)
      ? await this.repo.find(ref, manager)
      : await this.repo.findBySlug(ref, manager);
    if (
      !campaign ||
      (campaign.status === 'DRAFT' && !editorKind(RequestContext.actor(), campaign.fundId))
    ) {
      throw new CampaignNotFoundError(isUUID(ref) ? `with id ${ref}` : `with slug "${ref}"`);
    }
    return campaign;
  }

  private async view(m: EntityManager, campaign: Campaign): Promise<CampaignView> {
    const totals = (await this.repo.totals([campaign.id], m)).get(campaign.id) ?? NO_TOTALS;
    return {
      ...summary(campaign, totals),
      storyZh: campaign.storyZh,
      storyEn: campaign.storyEn,
      storyHtmlZh: renderStory(campaign.storyZh),
      storyHtmlEn: renderStory(campaign.storyEn),
    };
  }
}

function summary(c: Campaign, totals: TotalsRow): CampaignSummary {
  return {
    id: c.id,
    slug: c.slug,
    fundId: c.fundId,
    status: c.status,
    currency: c.currency,
    titleZh: c.titleZh,
    titleEn: c.titleEn,
    goalMinor: c.goalMinor,
    minAmountMinor: c.minAmountMinor,
    presetAmountsMinor: c.presetAmountsMinor,
    startsAt: c.startsAt,
    endsAt: c.endsAt,
    coverImageUrl: c.coverImage ? `/uploads/${c.coverImage}` : null,
    publishedAt: c.publishedAt,
    endedAt: c.endedAt,
    createdAt: c.createdAt,
    updatedAt: c.updatedAt,
    acceptingGifts: isAcceptingGifts(c, new Date()),
    totals: toTotals(totals, c.goalMinor),
  };
}

function toTotals(row: TotalsRow | undefined, goalMinor: number | null): CampaignTotals {
  const t = row ?? NO_TOTALS;
  return { ...t, goalMinor, progress: campaignProgress(t.raisedMinor, t.matchedMinor, goalMinor) };
}

function forDonation(c: Campaign): CampaignForDonation {
  return {
    id: c.id,
    slug: c.slug,
    fundId: c.fundId,
    currency: c.currency,
    status: c.status,
    startsAt: c.startsAt,
    endsAt: c.endsAt,
    minAmountMinor: c.minAmountMinor,
    presetAmountsMinor: c.presetAmountsMinor,
    titleZh: c.titleZh,
    titleEn: c.titleEn,
  };
}

function updateView(u: CampaignUpdate): CampaignUpdateView {
  return {
    id: u.id,
    campaignId: u.campaignId,
    titleZh: u.titleZh,
    titleEn: u.titleEn,
    bodyZh: u.bodyZh,
    bodyEn: u.bodyEn,
    bodyHtmlZh: renderStory(u.bodyZh),
    bodyHtmlEn: renderStory(u.bodyEn),
    publishedAt: u.publishedAt,
  };
}

function editorKind(actor: Actor | undefined, fundId: string): CampaignEditor | null {
  if (actor?.kind === 'system' || isStaff(actor)) return 'staff';
  if (
    actor?.kind === 'user' &&
    actor.roles.includes('COMMUNITY_LEADER') &&
    actor.fundIds.includes(fundId)
  ) {
    return 'leader';
  }
  return null;
}

function isStaff(actor: Actor | undefined): boolean {
  return actor?.kind === 'system' || hasAnyRole(actor, CAMPAIGN_STAFF_ROLES);
}

function hasAnyRole(actor: Actor | undefined, roles: readonly Role[]): boolean {
  return actor?.kind === 'user' && actor.roles.some((r) => roles.includes(r));
}

function userId(actor: Actor | undefined): string | null {
  return actor?.kind === 'user' ? actor.userId : null;
}

function denied(actor: Actor | undefined, message: string): DomainError {
  return actor?.kind === 'user'
    ? new DomainError('FORBIDDEN', message)
    : new DomainError('UNAUTHENTICATED', `Sign in first. ${message}`);
}

function assertShape(c: Parameters<typeof campaignShapeProblem>[0]): void {
  const problem = campaignShapeProblem(c);
  if (problem) throw new InvalidCampaignError(problem);
}

function assertAmount(amount: number, field: string, allowZero: boolean): void {
  try {
    assertSafeAmount(amount);
  } catch (error) {
    if (error instanceof MoneyFormatError) {
      throw new DomainError('INVALID_AMOUNT', `${field}: ${error.message}`);
    }
    throw error;
  }
  if (amount < 0 || (!allowZero && amount === 0)) {
    throw new DomainError(
      'INVALID_AMOUNT',
      `${field} must be ${allowZero ? 'zero or more' : 'more than zero'}`,
    );
  }
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a instanceof Date || b instanceof Date) {
    return a instanceof Date && b instanceof Date && a.getTime() === b.getTime();
  }
  if (Array.isArray(a) || Array.isArray(b)) return JSON.stringify(a) === JSON.stringify(b);
  return a === b;
}

function coverBytes(upload: CoverUpload): Buffer {
  if (!/^multipart\/form-data/i.test(upload.contentType)) return upload.body;
  try {
    return extractMultipartFile(upload.body, upload.contentType, 'file').data;
  } catch (error) {
    if (error instanceof MultipartError) {
      throw new DomainError('VALIDATION_FAILED', `file: ${error.message}`);
    }
    throw error;
  }
}
