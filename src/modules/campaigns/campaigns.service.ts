import { Injectable } from '@nestjs/common';
import { isUUID } from 'class-validator';
import type { EntityManager } from 'typeorm';
import type { Actor } from '../../common/context/request-context';
import { DomainError } from '../../common/errors';
import { decodeCursor, encodeCursor } from '../../common/http/cursor';
import { TransactionService, type TransactionOptions } from '../../database/transaction.service';
import { beijingDateTime } from '../../common/dates/beijing-time';
import type { SupportedLocale } from '../../common/i18n/i18n';
import { AppConfig } from '../../config/app-config';
import { UsersService } from '../accounts/users.service';
import { AuditService } from '../audit/audit.service';
import { OutboxService } from '../notifications/outbox.service';
import { FundsService } from '../funds/funds.service';
import type { Campaign } from './campaign.entity';
import { actorUserId, assertCampaignAccess, campaignAccess } from './campaign-access';
import {
  campaignShapeProblem,
  canEditCampaign,
  isAcceptingGifts,
  isSlugMutable,
  nextCampaignStatus,
  PUBLIC_CAMPAIGN_STATUSES,
  publishProblems,
  type CampaignAction,
  type CampaignStatus,
  type CampaignWindow,
} from './campaign-status';
import { slugCandidate, slugFromTitle } from './campaign-slug';
import { renderStory } from './campaign-markdown';
import { CampaignTotalsService } from './campaign-totals.service';
import {
  campaignForDonation,
  campaignSummary,
  campaignTotals,
  campaignUpdateView,
  campaignView,
  NO_TOTALS,
} from './campaign-views';
import {
  CampaignNotEditableError,
  CampaignNotFoundError,
  CampaignNotPublishableError,
  CampaignSlugLockedError,
  CampaignSlugTakenError,
  InvalidCampaignError,
  InvalidCampaignTransitionError,
} from './campaigns.errors';
import { CampaignsRepository } from './campaigns.repository';
import type {
  CampaignForDonation,
  CampaignSummary,
  CampaignTotals,
  CampaignUpdateView,
  CampaignView,
  CoverUpload,
  Page,
} from './campaigns.types';
import { coverUploadBytes } from './cover-upload.parser';
import { CoverStorage } from './cover-storage';
import { transcodeCover } from './cover-transcoder';
import {
  CLEARED_CAMPAIGN_VALUES,
  type CampaignListQueryDto,
  type ClearableCampaignField,
  type CreateCampaignDto,
  type CreateCampaignUpdateDto,
  type UpdateCampaignDto,
} from './dto/campaigns.dto';

export { CAMPAIGN_TOTAL_SLOTS } from './campaign-totals.service';
export { CAMPAIGN_PUBLISHER_ROLES, CAMPAIGN_STAFF_ROLES } from './campaign-access';

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
  'filingNumber',
] as const satisfies readonly (keyof UpdateCampaignDto & keyof Campaign)[];

/**
 * Campaigns: drafting by community leaders and staff, publishing by ADMIN/FINANCE, news updates
 * and cover images. Who may do what is `campaignAccess` (campaign-access.ts) of the actor the route
 * passes in: the fund of a new campaign arrives in the body, where the route guard cannot see it.
 * The totals settlement keeps are CampaignTotalsService; how a campaign is shown, campaign-views.ts.
 */
@Injectable()
export class CampaignsService {
  constructor(
    private readonly tx: TransactionService,
    private readonly repo: CampaignsRepository,
    private readonly funds: FundsService,
    private readonly audit: AuditService,
    private readonly covers: CoverStorage,
    private readonly totalsService: CampaignTotalsService,
    private readonly users: UsersService,
    private readonly outbox: OutboxService,
    private readonly config: AppConfig,
  ) {}

  /**
   * Other staff-written text (the privacy policy) in the campaign story's safe Markdown subset:
   * every character escaped, only a fixed set of tags emitted, links only to http(s).
   */
  renderMarkdown(text: string): string {
    return renderStory(text);
  }

  create(actor: Actor | undefined, dto: CreateCampaignDto): Promise<CampaignView> {
    return this.tx.run(async (m) => {
      assertCampaignAccess(actor, { action: 'edit', fundId: dto.fundId });
      const fund = (await this.funds.lockForMovement(m, [dto.fundId])).get(dto.fundId)!;
      // An address from the Chinese title when none is given, claimed under its lock.
      const slug = dto.slug ?? (await this.freeSlug(m, slugFromTitle(dto.titleZh)));
      const data = {
        slug,
        fundId: fund.id,
        status: 'DRAFT' as const,
        titleZh: dto.titleZh,
        titleEn: dto.titleEn ?? '',
        storyZh: dto.storyZh ?? '',
        storyEn: dto.storyEn ?? '',
        currency: fund.currency,
        goalMinor: dto.goalMinor ?? null,
        minAmountMinor: dto.minAmountMinor ?? 100,
        presetAmountsMinor: dto.presetAmountsMinor ?? [],
        startsAt: dto.startsAt ?? null,
        endsAt: dto.endsAt ?? null,
        filingNumber: dto.filingNumber ?? '',
        coverImage: null,
        createdBy: actorUserId(actor),
      };
      assertShape(data);
      if (dto.slug !== undefined) await this.claimSlug(m, data.slug);
      const campaign = await this.repo.insert(m, data);
      await this.totalsService.createSlots(m, campaign.id);
      await this.audit.record(m, {
        action: 'campaign.created',
        entityType: 'campaign',
        entityId: campaign.id,
        after: campaign,
      });
      return this.view(m, campaign);
    });
  }

  /**
   * Edits a campaign: a field left out keeps its value; a field named in `clear` is emptied (no
   * goal, no start or end date, no story), which the DTO's validation cannot express.
   */
  update(
    actor: Actor | undefined,
    id: string,
    dto: UpdateCampaignDto,
    clear: readonly ClearableCampaignField[] = [],
  ): Promise<CampaignView> {
    return this.tx.run(async (m) => {
      const campaign = await this.lockEditable(m, actor, id);
      const given: Record<string, unknown> = { ...dto };
      for (const field of clear) given[field] = CLEARED_CAMPAIGN_VALUES[field];
      const changes: Partial<Campaign> = {};
      for (const field of EDITABLE_FIELDS) {
        const value = given[field];
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
      return this.view(m, (await this.repo.find(id, { within: m }))!);
    });
  }

  publish(
    actor: Actor | undefined,
    id: string,
    opts: TransactionOptions = {},
  ): Promise<CampaignView> {
    return this.transition(actor, id, 'publish', opts);
  }

  /** Publishing run and rolled back: its refusal (not publishable, not allowed), or nothing. */
  async previewPublish(actor: Actor | undefined, id: string): Promise<void> {
    await this.tx.dryRun((m) => this.publish(actor, id, { within: m }));
  }

  /** Ends a live campaign: it stops taking gifts and its page stays as a record. */
  end(actor: Actor | undefined, id: string): Promise<CampaignView> {
    return this.transition(actor, id, 'end');
  }

  /**
   * Replaces the cover image. The bytes decide the type (PNG, JPEG or WebP by magic bytes), and the
   * image is decoded and written again (transcodeCover) so only its pixels are stored; the file is
   * written before the transaction and removed again if the transaction fails, and the previous
   * cover is removed only after the new one is committed. Narrower copies for `srcset` are written,
   * recorded (coverWidths) and removed with it.
   */
  async setCover(actor: Actor | undefined, id: string, upload: CoverUpload): Promise<CampaignView> {
    const data = coverUploadBytes(upload);
    // Refuse before decoding or writing anything when the caller could not change this campaign.
    await this.tx.run(async (m) => {
      const campaign = await this.repo.find(id, { within: m });
      if (!campaign) throw new CampaignNotFoundError(id);
      assertMayEdit(actor, campaign);
    });
    const cover = await transcodeCover(data);
    const { format } = cover;
    const name = await this.covers.save(cover.data, format, cover.variants);
    const stored = {
      coverImage: name,
      coverWidths: cover.variants.map((v) => v.width),
      coverWidth: cover.width,
      coverHeight: cover.height,
    };
    try {
      const { view, previous } = await this.tx.run(async (m) => {
        const campaign = await this.lockEditable(m, actor, id);
        await this.repo.update(m, id, stored);
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
            variantWidths: stored.coverWidths,
          },
        });
        return { view: await this.view(m, { ...campaign, ...stored }), previous: campaign };
      });
      if (previous.coverImage) await this.covers.remove(previous.coverImage, previous.coverWidths);
      return view;
    } catch (error) {
      await this.covers.remove(name, stored.coverWidths);
      throw error;
    }
  }

  async list(
    actor: Actor | undefined,
    query: CampaignListQueryDto,
  ): Promise<Page<CampaignSummary>> {
    let statuses: readonly CampaignStatus[] = PUBLIC_CAMPAIGN_STATUSES;
    let fundIds: readonly string[] | undefined;
    if (query.status === 'DRAFT') {
      statuses = ['DRAFT'];
      fundIds = assertCampaignAccess(actor, { action: 'list-drafts' }).fundIds;
    } else if (query.status) {
      statuses = [query.status];
    }
    const after = query.cursor
      ? decodeCursor<{ t: string; id: string }>(
          query.cursor,
          (c) => typeof c.t === 'string' && !Number.isNaN(Date.parse(c.t)) && isUUID(c.id),
        )
      : undefined;
    return this.tx.read(async (m) => {
      const rows = await this.repo.list(
        {
          statuses,
          fundId: query.fundId,
          fundIds,
          after: after && { sortAt: new Date(after.t), id: after.id },
          limit: query.limit + 1,
        },
        { within: m },
      );
      const page = rows.slice(0, query.limit);
      const totals = await this.repo.totals(
        page.map((c) => c.id),
        { within: m },
      );
      const last = page.at(-1);
      return {
        items: page.map((c) => campaignSummary(c, totals.get(c.id) ?? NO_TOTALS)),
        nextCursor:
          rows.length > query.limit && last
            ? encodeCursor({ t: (last.publishedAt ?? last.createdAt).toISOString(), id: last.id })
            : null,
      };
    });
  }

  /**
   * A campaign by slug or id, as the actor may see it: LIVE and ENDED for everyone, a DRAFT only
   * for those who may edit it (anyone else gets the same 404 as for a campaign that does not exist).
   */
  async getVisible(actor: Actor | undefined, ref: string): Promise<CampaignView> {
    return this.tx.read(async (m) =>
      this.view(m, await this.findVisible(actor, ref, { within: m })),
    );
  }

  async totalsVisible(actor: Actor | undefined, ref: string): Promise<CampaignTotals> {
    const campaign = await this.findVisible(actor, ref);
    return campaignTotals(
      (await this.repo.totals([campaign.id])).get(campaign.id),
      campaign.goalMinor,
    );
  }

  /** A campaign by slug with totals and rendered stories, any status (callers decide), or null. */
  async findBySlug(slug: string, opts: TransactionOptions = {}): Promise<CampaignView | null> {
    return this.tx.run(async (m) => {
      const campaign = await this.repo.findBySlug(slug, { within: m });
      return campaign ? this.view(m, campaign) : null;
    }, opts);
  }

  /**
   * What donation intake needs, by slug. Drafts are not public, so they answer as not found; an
   * ENDED campaign is returned (isAcceptingGifts says no) so intake can say why.
   */
  async getForDonation(slug: string, opts: TransactionOptions = {}): Promise<CampaignForDonation> {
    const campaign = await this.repo.findBySlug(slug, opts);
    if (!campaign || campaign.status === 'DRAFT') {
      throw new CampaignNotFoundError(slug);
    }
    return campaignForDonation(campaign);
  }

  /** The same by id, any status: settlement of a gift to a campaign that has ended since. */
  async getById(id: string, opts: TransactionOptions = {}): Promise<CampaignForDonation> {
    const campaign = isUUID(id) ? await this.repo.find(id, opts) : null;
    if (!campaign) throw new CampaignNotFoundError(id);
    return campaignForDonation(campaign);
  }

  /** Several campaigns by id in one query (for lists of gifts), keyed by id; unknown ids are left out. */
  async getManyById(ids: Iterable<string>): Promise<Map<string, CampaignForDonation>> {
    const wanted = [...new Set(ids)].filter((id) => isUUID(id));
    const found = await this.repo.findMany(wanted);
    return new Map(found.map((c) => [c.id, campaignForDonation(c)]));
  }

  /** Pure: LIVE and now within [startsAt, endsAt). */
  isAcceptingGifts(campaign: CampaignWindow, now: Date): boolean {
    return isAcceptingGifts(campaign, now);
  }

  /** Sum over the slots: O(1) in the number of gifts. */
  async totals(campaignId: string, opts: TransactionOptions = {}): Promise<CampaignTotals> {
    const campaign = isUUID(campaignId) ? await this.repo.find(campaignId, opts) : null;
    if (!campaign) throw new CampaignNotFoundError(campaignId);
    const rows = await this.repo.totals([campaignId], opts);
    return campaignTotals(rows.get(campaignId), campaign.goalMinor);
  }

  /** Posts a news update: staff on any campaign, a community leader on their funds' campaigns. */
  createUpdate(
    actor: Actor | undefined,
    id: string,
    dto: CreateCampaignUpdateDto,
  ): Promise<CampaignUpdateView> {
    return this.tx.run(async (m) => {
      const campaign = await this.repo.find(id, { within: m });
      if (!campaign) throw new CampaignNotFoundError(id);
      assertCampaignAccess(actor, { action: 'edit', fundId: campaign.fundId });
      const update = await this.repo.insertUpdate(m, {
        campaignId: campaign.id,
        titleZh: dto.titleZh,
        titleEn: dto.titleEn ?? '',
        bodyZh: dto.bodyZh ?? '',
        bodyEn: dto.bodyEn ?? '',
        createdBy: actorUserId(actor),
      });
      await this.audit.record(m, {
        action: 'campaign.update_posted',
        entityType: 'campaign',
        entityId: campaign.id,
        after: update,
      });
      return campaignUpdateView(update);
    });
  }

  async listUpdates(
    actor: Actor | undefined,
    ref: string,
    query: { limit: number; cursor?: string },
  ): Promise<Page<CampaignUpdateView>> {
    const after = query.cursor
      ? decodeCursor<{ t: string; id: string }>(
          query.cursor,
          (c) => typeof c.t === 'string' && !Number.isNaN(Date.parse(c.t)) && isUUID(c.id),
        )
      : undefined;
    return this.tx.read(async (m) => {
      const campaign = await this.findVisible(actor, ref, { within: m });
      const rows = await this.repo.listUpdates(
        campaign.id,
        {
          after: after && { publishedAt: new Date(after.t), id: after.id },
          limit: query.limit + 1,
        },
        { within: m },
      );
      const page = rows.slice(0, query.limit);
      const last = page.at(-1);
      return {
        items: page.map(campaignUpdateView),
        nextCursor:
          rows.length > query.limit && last
            ? encodeCursor({ t: last.publishedAt.toISOString(), id: last.id })
            : null,
      };
    });
  }

  /** The newest updates of a campaign the caller has already found visible (`getVisible`). */
  async recentUpdates(campaignId: string, limit: number): Promise<CampaignUpdateView[]> {
    return (await this.repo.listUpdates(campaignId, { limit })).map(campaignUpdateView);
  }

  private transition(
    actor: Actor | undefined,
    id: string,
    action: CampaignAction,
    opts: TransactionOptions = {},
  ): Promise<CampaignView> {
    return this.tx.run(async (m) => {
      assertCampaignAccess(actor, { action: 'publish' });
      const campaign = await this.repo.lock(m, id);
      if (!campaign) throw new CampaignNotFoundError(id);
      const next = nextCampaignStatus(campaign.status, action);
      if (!next) throw new InvalidCampaignTransitionError(campaign.slug, campaign.status, action);
      const now = new Date();
      let changes: Partial<Campaign>;
      if (action === 'publish') {
        const problems = publishProblems(campaign, await this.fundStatus(m, campaign.fundId), now);
        if (problems.length > 0) throw new CampaignNotPublishableError(campaign.slug, problems);
        changes = { status: next, publishedAt: now, publishedBy: actorUserId(actor) };
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
      if (action === 'publish') await this.tellLeaders(m, campaign, now);
      return this.view(m, (await this.repo.find(id, { within: m }))!);
    }, opts);
  }

  /**
   * Tells the community leaders of the campaign's fund (who drafted it, or whose community it
   * serves) that it is live, each in their language, with its public address.
   */
  private async tellLeaders(m: EntityManager, campaign: Campaign, publishedAt: Date) {
    const base = this.config.publicUrl.replace(/\/$/, '');
    for (const leader of await this.users.leadersOfFund(campaign.fundId, { within: m })) {
      const locale: SupportedLocale = leader.locale === 'en' ? 'en' : 'zh-CN';
      await this.outbox.enqueue(m, {
        template: 'campaign-published',
        to: leader.email,
        locale,
        dedupeKey: `campaign-published:${campaign.id}:${leader.id}`,
        data: {
          recipientName: leader.name,
          campaignTitle: locale === 'en' && campaign.titleEn ? campaign.titleEn : campaign.titleZh,
          publishedOn: beijingDateTime(publishedAt, locale),
          url: `${base}/campaigns/${campaign.slug}?lang=${locale}`,
          adminUrl: `${base}/admin/campaigns/${campaign.id}?lang=${locale}`,
        },
      });
    }
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

  private async lockEditable(
    m: EntityManager,
    actor: Actor | undefined,
    id: string,
  ): Promise<Campaign> {
    const campaign = await this.repo.lock(m, id);
    if (!campaign) throw new CampaignNotFoundError(id);
    assertMayEdit(actor, campaign);
    return campaign;
  }

  /** Under a transaction-scoped advisory lock, so the friendly check decides a race for a slug. */
  private async claimSlug(m: EntityManager, slug: string): Promise<void> {
    await this.tx.lock(m, `campaigns:slug:${slug}`);
    if (await this.repo.findBySlug(slug, { within: m })) throw new CampaignSlugTakenError(slug);
  }

  /** The first free address of base, base-2, base-3…, locked for this transaction. */
  private async freeSlug(m: EntityManager, base: string): Promise<string> {
    for (let n = 1; ; n++) {
      const slug = slugCandidate(base, n);
      await this.tx.lock(m, `campaigns:slug:${slug}`);
      if (!(await this.repo.findBySlug(slug, { within: m }))) return slug;
    }
  }

  private async findVisible(
    actor: Actor | undefined,
    ref: string,
    opts: TransactionOptions = {},
  ): Promise<Campaign> {
    const campaign = isUUID(ref)
      ? await this.repo.find(ref, opts)
      : await this.repo.findBySlug(ref, opts);
    if (
      !campaign ||
      (campaign.status === 'DRAFT' &&
        !campaignAccess(actor, { action: 'see-draft', fundId: campaign.fundId }).allowed)
    ) {
      throw new CampaignNotFoundError(ref);
    }
    return campaign;
  }

  private async view(m: EntityManager, campaign: Campaign): Promise<CampaignView> {
    const totals = await this.repo.totals([campaign.id], { within: m });
    return campaignView(campaign, totals.get(campaign.id));
  }
}

/** Editors by the access rule, then the campaign's status by the edit table. */
function assertMayEdit(actor: Actor | undefined, campaign: Campaign): void {
  const { editor } = assertCampaignAccess(actor, { action: 'edit', fundId: campaign.fundId });
  if (!canEditCampaign(campaign.status, editor!)) {
    throw new CampaignNotEditableError(campaign.slug, campaign.status, editor === 'leader');
  }
}

function assertShape(c: Parameters<typeof campaignShapeProblem>[0]): void {
  const problem = campaignShapeProblem(c);
  if (problem) throw new InvalidCampaignError(problem);
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a instanceof Date || b instanceof Date) {
    return a instanceof Date && b instanceof Date && a.getTime() === b.getTime();
  }
  if (Array.isArray(a) || Array.isArray(b)) return JSON.stringify(a) === JSON.stringify(b);
  return a === b;
}
