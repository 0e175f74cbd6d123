/**
 * What the public may see of an awarded project: the one rule, in one place. Pure: no Nest, no
 * TypeORM.
 *
 * Public: the project's title, round, tier and amounts awarded; its community and subdistrict; the
 * source fund's name and code; its status in words; tranches PAID (number, amount, date); the
 * public summaries of ACCEPTED reports; the latest acceptance inspection's body, result and date;
 * the counted result of every closed (PASSED or FAILED) evaluation with its non-empty comments.
 *
 * Never public: the application's text and budget, who applied, reviewed, proposed or approved
 * (names, emails, ids of people), reviewer scores and comments, report bodies, decision and
 * inspection notes, evaluator codes and labels, and any award not APPROVED. Everything passes
 * through `toPublicProject`, which copies the public fields by name; what it does not name never
 * leaves the server.
 */

export const PROJECT_STATUSES = [
  'NOT_STARTED',
  'IN_PROGRESS',
  'COMPLETED',
  'RECTIFICATION_REQUIRED',
  'EVALUATED',
  'CLOSED',
] as const;
export type ProjectStatus = (typeof PROJECT_STATUSES)[number];

/** Only approved awards are projects the public sees. */
export function isPublicAward(status: string): boolean {
  return status === 'APPROVED';
}

/** A project as the repository reads it (may hold more than the public may see). */
export interface ProjectRecord {
  award: {
    id: string;
    status: string;
    tierKey: string;
    designAwardMinor: number;
    constructionMinor: number;
    currency: string;
    projectStatus: ProjectStatus;
    projectStatusAt: Date;
    /** The design award's ledger entry exists. */
    designPaid: boolean;
    [more: string]: unknown;
  };
  application: { title: string; [more: string]: unknown };
  round: {
    id: string;
    year: number;
    nameZh: string;
    nameEn: string;
    tiers: { key: string; nameZh?: string; nameEn?: string }[];
    [more: string]: unknown;
  };
  community: { id: string; nameZh: string; nameEn: string };
  subdistrict: { id: string; nameZh: string; nameEn: string };
  fund: { id: string; code: string; nameZh: string; nameEn: string };
  tranches: {
    seq: number;
    status: string;
    amountMinor: number;
    decidedAt: Date | null;
    [more: string]: unknown;
  }[];
  reports: {
    kind: string;
    status: string;
    publicSummary: string;
    decidedAt: Date | null;
    [more: string]: unknown;
  }[];
  inspections: {
    inspectingBody: string;
    result: string;
    inspectedOn: string;
    recordedAt: Date;
    [more: string]: unknown;
  }[];
  evaluations: {
    seq: number;
    status: string;
    thresholdPct: number;
    resultResponses: number | null;
    resultSatisfied: number | null;
    resultMeanScore: number | null;
    closedAt: Date | null;
    comments: string[];
    [more: string]: unknown;
  }[];
}

export interface PublicProject {
  id: string;
  title: string;
  round: { year: number; nameZh: string; nameEn: string };
  tier: { key: string; nameZh: string; nameEn: string };
  designAwardMinor: number;
  constructionMinor: number;
  awardedMinor: number;
  paidMinor: number;
  currency: string;
  status: ProjectStatus;
  statusSince: Date;
  community: { id: string; nameZh: string; nameEn: string };
  subdistrict: { id: string; nameZh: string; nameEn: string };
  fund: { code: string; nameZh: string; nameEn: string };
  tranchesPaid: { seq: number; amountMinor: number; paidAt: Date }[];
  reports: { kind: string; summary: string; acceptedAt: Date | null }[];
  inspection: { body: string; result: string; inspectedOn: string } | null;
  evaluations: {
    seq: number;
    passed: boolean;
    thresholdPct: number;
    responses: number;
    satisfied: number;
    /** satisfied ÷ responses (0–1); null without responses. */
    satisfaction: number | null;
    meanScore: number | null;
    closedAt: Date | null;
    comments: string[];
  }[];
}

/** The public view of a project; null when the award is not public (not APPROVED). */
export function toPublicProject(p: ProjectRecord): PublicProject | null {
  if (!isPublicAward(p.award.status)) return null;
  const tier = p.round.tiers.find((t) => t.key === p.award.tierKey);
  const tranchesPaid = p.tranches
    .filter((t) => t.status === 'PAID' && t.decidedAt !== null)
    .sort((a, b) => a.seq - b.seq)
    .map((t) => ({ seq: t.seq, amountMinor: t.amountMinor, paidAt: t.decidedAt! }));
  const latest = [...p.inspections].sort(
    (a, b) => b.recordedAt.getTime() - a.recordedAt.getTime(),
  )[0];
  return {
    id: p.award.id,
    title: p.application.title,
    round: { year: p.round.year, nameZh: p.round.nameZh, nameEn: p.round.nameEn },
    tier: {
      key: p.award.tierKey,
      nameZh: tier?.nameZh ?? p.award.tierKey,
      nameEn: tier?.nameEn ?? p.award.tierKey,
    },
    designAwardMinor: p.award.designAwardMinor,
    constructionMinor: p.award.constructionMinor,
    awardedMinor: p.award.designAwardMinor + p.award.constructionMinor,
    paidMinor:
      (p.award.designPaid ? p.award.designAwardMinor : 0) +
      tranchesPaid.reduce((s, t) => s + t.amountMinor, 0),
    currency: p.award.currency,
    status: p.award.projectStatus,
    statusSince: p.award.projectStatusAt,
    community: { id: p.community.id, nameZh: p.community.nameZh, nameEn: p.community.nameEn },
    subdistrict: {
      id: p.subdistrict.id,
      nameZh: p.subdistrict.nameZh,
      nameEn: p.subdistrict.nameEn,
    },
    fund: { code: p.fund.code, nameZh: p.fund.nameZh, nameEn: p.fund.nameEn },
    tranchesPaid,
    reports: p.reports
      .filter((r) => r.status === 'ACCEPTED' && r.publicSummary.trim() !== '')
      .map((r) => ({ kind: r.kind, summary: r.publicSummary, acceptedAt: r.decidedAt })),
    inspection: latest
      ? { body: latest.inspectingBody, result: latest.result, inspectedOn: latest.inspectedOn }
      : null,
    evaluations: p.evaluations
      .filter((e) => e.status === 'PASSED' || e.status === 'FAILED')
      .sort((a, b) => a.seq - b.seq)
      .map((e) => {
        const responses = e.resultResponses ?? 0;
        const satisfied = e.resultSatisfied ?? 0;
        return {
          seq: e.seq,
          passed: e.status === 'PASSED',
          thresholdPct: e.thresholdPct,
          responses,
          satisfied,
          satisfaction: responses > 0 ? satisfied / responses : null,
          meanScore: e.resultMeanScore,
          closedAt: e.closedAt,
          comments: e.comments.filter((c) => c.trim() !== ''),
        };
      }),
  };
}
