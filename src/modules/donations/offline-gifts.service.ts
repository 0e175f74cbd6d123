import { Injectable } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { parseCsv } from '../../common/csv';
import { DomainError, InvalidAmountError, ValidationFailedError } from '../../common/errors';
import { OfflineReferenceReusedError } from './donations.errors';
import { MoneyFormatError, parseMoney } from '../../common/money';
import { TransactionService } from '../../database/transaction.service';
import { AuditService } from '../audit/audit.service';
import { CampaignsService } from '../campaigns/campaigns.service';
import { DonationsRepository } from './donations.repository';
import type { Donation, ImportRowStatus } from './donations.types';
import { OfflineGiftDto } from './dto/offline-gift.dto';
import { SettlementService } from './settlement.service';

export interface ImportRow {
  row: number;
  reference?: string;
  status: ImportRowStatus;
  donationId?: string;
  message?: string;
}

const COLUMNS = [
  'campaign_slug',
  'amount',
  'donor_name',
  'donor_email',
  'method',
  'reference',
] as const;

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
  ) {}

  async record(dto: OfflineGiftDto): Promise<{ donation: Donation; replayed: boolean }> {
    await this.settlement.prepare();
    const paymentId = `offline:${dto.reference}`;
    return this.tx.run(async (m) => {
      await this.tx.lock(m, paymentId);
      const existing = await this.repo.lock(m, { paymentId });
      if (existing) {
        if (existing.amountMinor !== dto.amountMinor) {
          throw new OfflineReferenceReusedError(dto.reference, existing.amountMinor);
        }
        return { donation: existing, replayed: true };
      }
      const campaign = await this.campaigns.getForDonation(dto.campaignSlug, { within: m });
      const donation = await this.repo.insert(m, {
        campaignId: campaign.id,
        fundId: campaign.fundId,
        amountMinor: dto.amountMinor,
        feeCoverMinor: 0,
        currency: campaign.currency,
        donorName: dto.donorName,
        donorEmail: dto.donorEmail.toLowerCase(),
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
      await this.settlement.settle(m, donation, { paymentId, receivedAt: dto.receivedAt });
      await this.audit.record(m, {
        action: 'donation.offline_recorded',
        entityType: 'donation',
        entityId: donation.id,
        after: {
          campaignId: campaign.id,
          amountMinor: dto.amountMinor,
          method: dto.method,
          reference: dto.reference,
        },
      });
      return { donation: (await this.repo.find(donation.id, { within: m }))!, replayed: false };
    });
  }

  /** Each row in its own transaction: a bad row is reported and the others still go in. */
  async importCsv(
    text: string,
  ): Promise<{ recorded: number; duplicates: number; errors: number; rows: ImportRow[] }> {
    let table: string[][];
    try {
      table = parseCsv(text);
    } catch (error) {
      throw new ValidationFailedError(`The CSV cannot be read: ${(error as Error).message}.`);
    }
    const header = (table[0] ?? []).map((h) => h.trim().toLowerCase());
    const missing = COLUMNS.filter((c) => !header.includes(c));
    if (missing.length > 0) {
      throw new ValidationFailedError(
        `The CSV header lacks ${missing.join(', ')}; expected ${COLUMNS.join(',')}[,received_at,message,receipt_address,receipt_tax_id].`,
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
    let amountMinor: number;
    try {
      const campaign = await this.campaigns.getForDonation(raw.campaign_slug ?? '');
      amountMinor = parseMoney(raw.amount ?? '', campaign.currency).amountMinor;
    } catch (error) {
      if (error instanceof MoneyFormatError)
        throw new InvalidAmountError(`amount: ${error.message}`);
      throw error;
    }
    const dto = plainToInstance(OfflineGiftDto, {
      campaignSlug: raw.campaign_slug,
      amountMinor,
      donorName: raw.donor_name,
      donorEmail: raw.donor_email,
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
        problems.map((p) => Object.values(p.constraints ?? {})[0]).join('; '),
      );
    }
    return dto;
  }
}
