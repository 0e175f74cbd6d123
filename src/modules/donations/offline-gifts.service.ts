import { Injectable } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { problemsOf, problemWords } from '../../common/i18n/validation-text';
import { parseCsv } from '../../common/csv';
import { DomainError, InvalidAmountError, ValidationFailedError } from '../../common/errors';
import {
  GiftTargetError,
  OfflineFundNotActiveError,
  OfflineFundNotFoundError,
  OfflineReferenceReusedError,
  ReceivedDateError,
} from './donations.errors';
import { parseAmountField } from '../../common/money/amount-field';
import { TransactionService } from '../../database/transaction.service';
import { AuditService } from '../audit/audit.service';
import type { EntityManager } from 'typeorm';
import { beijingTimestamp } from '../../common/dates/beijing-time';
import { words, type Words } from '../../common/i18n/i18n';
import { CampaignsService } from '../campaigns/campaigns.service';
import { FoundationService } from '../foundation/foundation.service';
import type { Fund } from '../funds/fund.entity';
import { FundsService } from '../funds/funds.service';
import { DonationsRepository } from './donations.repository';
import type { Donation, ImportRowStatus } from './donations.types';
import { OfflineGiftDto } from './dto/offline-gift.dto';
import { SettlementService } from './settlement.service';

export interface ImportRow {
  row: number;
  reference?: string;
  status: ImportRowStatus;
  donationId?: string;
  /** Why the row was refused, in English (API clients, the CLI). */
  message?: string;
  /** The same, as words for a page in the reader's language. */
  words?: Words;
}

const COLUMNS = ['amount', 'donor_name', 'donor_email', 'method', 'reference'] as const;

/**
 * Offline gifts (bank transfers, cash) recorded by FINANCE, one at a time or from CSV. A gift is
 * booked once per reference: a repeated reference (a re-imported file) is reported as a duplicate.
 */
@Injectable()
export class OfflineGiftsService {
  constructor(
    private readonly tx: TransactionService,
    private readonly repo: DonationsRepository,
    private readonly campaigns: CampaignsService,
    private readonly settlement: SettlementService,
    private readonly audit: AuditService,
    private readonly funds: FundsService,
    private readonly foundation: FoundationService,
  ) {}

  async record(dto: OfflineGiftDto): Promise<{ donation: Donation; replayed: boolean }> {
    await this.settlement.prepare();
    const paymentId = `offline:${dto.reference}`;
    return this.tx.run(async (m) => {
      await this.tx.lock(m, paymentId);
      const existing = await this.repo.lock(m, { paymentId });
      if (existing) {
        if (existing.amountMinor !== dto.amountMinor) {
          throw new OfflineReferenceReusedError(dto.reference, {
            amountMinor: existing.amountMinor,
            currency: existing.currency,
          });
        }
        return { donation: existing, replayed: true };
      }
      const target = await this.target(m, dto);
      const receivedAt = this.receivedAt(dto.receivedAt, target.fund);
      const donation = await this.repo.insert(m, {
        campaignId: target.campaignId,
        fundId: target.fund.id,
        amountMinor: dto.amountMinor,
        feeCoverMinor: 0,
        currency: target.currency,
        donorName: dto.donorName ?? '',
        donorEmail: dto.donorEmail?.toLowerCase() ?? null,
        donorKind: dto.donorKind ?? 'PERSON',
        anonymous: false,
        message: dto.message ?? '',
        dedication: '',
        monthly: false,
        provider: 'OFFLINE',
        ip: null,
        providerPaymentId: paymentId,
        receiptAddress: dto.receiptAddress ?? null,
        receiptTaxId: dto.receiptTaxId ?? null,
      });
      // The day the money arrived (a transfer of 30 December recorded on 3 January belongs to
      // the old year: its receipt number and the donor's annual statement say so).
      // The ledger entry is posted now (the ledger is append-only, in recording order); the gift's
      // own date (succeeded_at) is the day received.
      await this.settlement.settle(m, donation, { paymentId, receivedAt });
      await this.audit.record(m, {
        action: 'donation.offline_recorded',
        entityType: 'donation',
        entityId: donation.id,
        after: {
          campaignId: target.campaignId,
          fundId: target.fund.id,
          receivedAt: receivedAt?.toISOString() ?? null,
          amountMinor: dto.amountMinor,
          method: dto.method,
          reference: dto.reference,
        },
      });
      return { donation: (await this.repo.find(donation.id, { within: m }))!, replayed: false };
    });
  }

  /** Where the gift goes: a campaign (and its fund), or a fund with no campaign; exactly one. */
  private async target(
    m: EntityManager,
    dto: OfflineGiftDto,
  ): Promise<{ campaignId: string | null; fund: Fund; currency: string }> {
    if (dto.campaignSlug && dto.fundCode) {
      throw new GiftTargetError(words('errors.offlineGift.bothTargets'));
    }
    if (dto.campaignSlug) {
      const campaign = await this.campaigns.getForDonation(dto.campaignSlug, { within: m });
      const fund = await this.funds.get(campaign.fundId, { within: m });
      return { campaignId: campaign.id, fund, currency: campaign.currency };
    }
    if (!dto.fundCode) throw new GiftTargetError(words('errors.offlineGift.noTarget'));
    const fund = await this.funds.findByCode(dto.fundCode, { within: m });
    if (!fund) throw new OfflineFundNotFoundError(dto.fundCode);
    if (fund.status !== 'ACTIVE') throw new OfflineFundNotActiveError(fund.code, fund.status);
    return { campaignId: null, fund, currency: fund.currency.trim() };
  }

  /**
   * The day the money arrived, checked: not in the future (a date-only value is the start of that
   * Beijing day, so today is always allowed), not before the fund existed (by Beijing calendar
   * day). Left out: now.
   */
  private receivedAt(at: Date | undefined, fund: Fund): Date | undefined {
    if (!at) return undefined;
    const now = new Date();
    const day = beijingDay(at);
    if (at.getTime() > now.getTime()) {
      throw new ReceivedDateError(
        words('errors.offlineGift.receivedInFuture', { date: day, today: beijingDay(now) }),
      );
    }
    const opened = beijingDay(fund.createdAt);
    if (day < opened) {
      throw new ReceivedDateError(
        words('errors.offlineGift.receivedBeforeFund', {
          date: day,
          fund: fund.code,
          opened,
        }),
      );
    }
    return at;
  }

  /** Each row in its own transaction: a bad row is reported and the others still go in. */
  async importCsv(
    text: string,
  ): Promise<{ recorded: number; duplicates: number; errors: number; rows: ImportRow[] }> {
    let table: string[][];
    try {
      table = parseCsv(text);
    } catch (error) {
      throw new ValidationFailedError(
        words('errors.donations.csvUnreadable', { problem: (error as Error).message }),
      );
    }
    const header = (table[0] ?? []).map((h) => h.trim().toLowerCase());
    const missing: string[] = COLUMNS.filter((c) => !header.includes(c));
    // A row names its campaign or its fund: either column will do.
    if (!header.includes('campaign_slug') && !header.includes('fund_code')) {
      missing.unshift('campaign_slug');
    }
    if (missing.length > 0) {
      throw new ValidationFailedError(
        words('errors.donations.csvHeader', {
          missing: missing.join(', '),
          expected: `campaign_slug or fund_code,${COLUMNS.join(',')}[,received_at,message,receipt_address,receipt_tax_id,donor_kind]`,
        }),
      );
    }
    const rows: ImportRow[] = [];
    for (const [i, cells] of table.slice(1).entries()) {
      const rowNumber = i + 2;
      const raw = Object.fromEntries(header.map((h, k) => [h, (cells[k] ?? '').trim()]));
      try {
        const dto = await this.rowToDto(raw);
        const { donation, replayed } = await this.record(dto);
        rows.push({
          row: rowNumber,
          reference: dto.reference,
          status: replayed ? 'duplicate' : 'recorded',
          donationId: donation.id,
        });
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
        rows.push({
          row: rowNumber,
          reference: raw.reference,
          status: 'error',
          message: error.message,
          words: error.words,
        });
      }
    }
    const count = (s: ImportRow['status']) => rows.filter((r) => r.status === s).length;
    return {
      recorded: count('recorded'),
      duplicates: count('duplicate'),
      errors: count('error'),
      rows,
    };
  }

  private async rowToDto(raw: Record<string, string>): Promise<OfflineGiftDto> {
    // Every fund and campaign is in the foundation's currency.
    const amount = parseAmountField(raw.amount ?? '', await this.foundation.currency());
    if (amount.error !== null) throw new InvalidAmountError(words(amount.error));
    const amountMinor = amount.amountMinor;
    const dto = plainToInstance(OfflineGiftDto, {
      campaignSlug: raw.campaign_slug,
      fundCode: raw.fund_code,
      amountMinor,
      donorName: raw.donor_name,
      donorEmail: raw.donor_email,
      donorKind: raw.donor_kind?.toUpperCase(),
      method: raw.method?.toUpperCase(),
      reference: raw.reference,
      ...(raw.received_at ? { receivedAt: raw.received_at } : {}),
      ...(raw.message ? { message: raw.message } : {}),
      ...(raw.receipt_address ? { receiptAddress: raw.receipt_address } : {}),
      ...(raw.receipt_tax_id ? { receiptTaxId: raw.receipt_tax_id } : {}),
    });
    const problems = validateSync(dto, { stopAtFirstError: true });
    if (problems.length > 0) {
      throw new ValidationFailedError(
        words('errors.admin.formProblems', {
          problems: problemsOf(problems).map((p) => problemWords(p, true)),
        }),
      );
    }
    return dto;
  }
}

/** 2026-11-20: the Beijing calendar day of an instant (sorts as text). */
function beijingDay(at: Date): string {
  return beijingTimestamp(at).slice(0, 10);
}
