import { randomUUID } from 'node:crypto';
import { RequestContext } from '../../src/common/context/request-context';
import type { CampaignStatus } from '../../src/modules/campaigns/campaign-status';
import type { CampaignView } from '../../src/modules/campaigns/campaigns.types';
import { CampaignsService } from '../../src/modules/campaigns/campaigns.service';
import type { CreateCampaignDto } from '../../src/modules/campaigns/dto/campaigns.dto';
import { FoundationService } from '../../src/modules/foundation/foundation.service';
import type { RuleInput } from '../../src/modules/matching/matching.service';
import type { TestApp } from '../utils/test-app';
import { createFoundation, createFund } from './foundation.factory';

let seq = 0;

/** A valid create body (a plain object); pass fundId in overrides. */
export function buildCampaign(overrides: Partial<CreateCampaignDto> = {}): Omit<
  CreateCampaignDto,
  'fundId' | 'slug' | 'titleEn'
> & {
  fundId?: string;
  slug: string;
  titleEn: string;
} {
  const n = `${++seq}-${randomUUID().slice(0, 6)}`;
  return {
    slug: `campaign-${n}`,
    titleZh: `募捐项目 ${n}`,
    titleEn: `Campaign ${n}`,
    storyZh: '为社区长者购置**轮椅**。',
    storyEn: 'Wheelchairs for the **elderly** of our community.',
    goalMinor: 1_000_000,
    minAmountMinor: 100,
    presetAmountsMinor: [5_000, 10_000, 50_000],
    ...overrides,
  };
}

/**
 * A campaign, LIVE by default, on an ACTIVE fund created for it unless `fundId` is given (the
 * foundation is set up first if the database has none). Runs as the CLI's system actor, which
 * may do everything; `status: 'DRAFT'` stops before publishing, `'ENDED'` ends it after.
 */
export async function createCampaign(
  t: TestApp,
  overrides: Partial<CreateCampaignDto> & { status?: CampaignStatus } = {},
): Promise<CampaignView> {
  const { status = 'LIVE', ...dto } = overrides;
  const system = { kind: 'system', label: 'test' } as const;
  return RequestContext.run({ actor: system }, async () => {
    let fundId = dto.fundId;
    if (!fundId) {
      await t
        .get(FoundationService)
        .getProfile()
        .catch(() => createFoundation(t));
      fundId = (await createFund(t, { kind: 'PROGRAM' })).id;
    }
    const campaigns = t.get(CampaignsService);
    let campaign = await campaigns.create(system, { ...buildCampaign(dto), fundId });
    if (status === 'LIVE' || status === 'ENDED')
      campaign = await campaigns.publish(system, campaign.id);
    if (status === 'ENDED') campaign = await campaigns.end(system, campaign.id);
    return campaign;
  });
}

/** A matching rule: 1:1 from `poolFundId` with no caps, unless overridden. */
export function buildMatchingRule(
  poolFundId: string,
  overrides: Partial<RuleInput> = {},
): RuleInput {
  return {
    poolFundId,
    mode: 'RATIO',
    ratioBp: 10_000,
    randomMinMinor: null,
    randomMaxMinor: null,
    minGiftMinor: 1,
    capPerGiftMinor: null,
    capPerDonorDayMinor: null,
    totalCapMinor: null,
    startsAt: null,
    endsAt: null,
    active: true,
    ...overrides,
  };
}
