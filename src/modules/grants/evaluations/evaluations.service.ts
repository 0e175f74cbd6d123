import { Injectable, Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { RequestContext } from '../../../common/context/request-context';
import { ConflictError, ForbiddenError, ValidationFailedError } from '../../../common/errors';
import { AppConfig } from '../../../config/app-config';
import { TransactionService } from '../../../database/transaction.service';
import { AuditService } from '../../audit/audit.service';
import { evaluatorSubject } from '../../privacy/policy/consent-purpose';
import { ConsentService } from '../../privacy/policy/consent.service';
import { OutboxService } from '../../notifications/outbox.service';
import { AwardsService } from '../awards/awards.service';
import {
  EvaluationBelowMinimumError,
  EvaluationClosedError,
  EvaluationNotOpenError,
  EvaluationOpeningRefusedError,
  EvaluatorCodeMismatchError,
  EvaluatorCodeUnknownError,
  EvaluatorCodeUsedError,
  GrantNotFoundError,
} from '../grants.errors';
import type { EvaluationResponseDto, OpenEvaluationDto } from './dto/evaluations.dto';
import {
  checkOpening,
  codeLabels,
  defaultClosesAt,
  displayCode,
  evaluationResult,
  type EvaluatorPanel,
  meanScore,
  newEvaluatorCode,
  normalizeCode,
  projectStatusAfter,
  satisfiedPercent,
} from './evaluation-rules';
import {
  type EvaluatedProject,
  type Evaluation,
  EvaluationsRepository,
  type EvaluationListItem,
  type EvaluatorCode,
  type ReadyProject,
} from './evaluations.repository';
import { words, type SupportedLocale } from '../../../common/i18n/i18n';

/** Who opens, reads and closes evaluations. */
export const EVALUATION_OFFICERS = ['ADMIN', 'GRANTS_OFFICER'] as const;

export interface EvaluationView extends Evaluation {
  project: {
    awardId: string;
    title: string;
    projectStatus: string;
    community: EvaluatedProject['community'];
  };
  /** Counted now from the responses table. */
  tally: {
    responses: number;
    satisfied: number;
    satisfiedPercent: number | null;
    meanScore: number | null;
  };
  /** OPEN and past closes_at with fewer responses than the minimum: staff must act. */
  overdue: boolean;
  codesUrl: string;
}

export interface IssuedCode {
  code: string;
  label: string;
  panel: EvaluatorPanel;
  used: boolean;
  /** Where the code's QR points: the public page with the code filled in. */
  url: string;
}

export interface PublicEvaluation {
  seq: number;
  status: Evaluation['status'];
  responses: number;
  satisfiedPercent: number | null;
  meanScore: number | null;
  thresholdPct: number;
  minResponses: number;
  openedAt: Date;
  closesAt: Date;
  closedAt: Date | null;
  /** Comments of a closed evaluation, without codes or labels. */
  comments: { satisfied: boolean; score: number; comment: string; at: Date }[];
}

/** What the public evaluation page shows for a code. */
export interface EvaluationPage {
  evaluationId: string;
  code: string;
  displayCode: string;
  title: string;
  community: EvaluatedProject['community'];
  subdistrict: EvaluatedProject['subdistrict'];
  summary: string;
  reports: { kind: string; summary: string }[];
  closesAt: Date;
}

/** A row of the back office's list, with the satisfied share and the overdue flag. */
export interface EvaluationListRow extends EvaluationListItem {
  satisfiedPercent: number | null;
  overdue: boolean;
  codesUrl: string;
}

/** What the "open an evaluation" form shows about the project. */
export interface OpeningForm {
  awardId: string;
  title: string;
  community: EvaluatedProject['community'];
  projectStatus: string;
  thresholdPct: number;
  minResponses: number;
}

export const CANCEL_REASON_MAX = 1000;

export interface CloseOutcome {
  evaluation: Evaluation;
  projectStatus: string;
}

function officer(): { userId: string } {
  const actor = RequestContext.current()?.actor;
  if (
    actor?.kind !== 'user' ||
    !actor.roles.some((r) => (EVALUATION_OFFICERS as readonly string[]).includes(r))
  )
    throw new ForbiddenError(words('errors.grants.forbidden.evaluations'));
  return { userId: actor.userId };
}

/**
 * Resident satisfaction evaluations (满意度测评) of completed projects. An officer opens one with
 * one-time codes for resident representatives and stakeholders; each code gives one response on
 * the public page (no sign-in); the officer closes it once the minimum is in (or the daily job at
 * its closing time). Passing makes the project EVALUATED (the last tranche unlocks); failing makes
 * it RECTIFICATION_REQUIRED (remaining tranches blocked) and emails the grantee to rectify.
 */
@Injectable()
export class EvaluationsService {
  private readonly logger = new Logger('Evaluations');

  constructor(
    private readonly tx: TransactionService,
    private readonly repo: EvaluationsRepository,
    private readonly audit: AuditService,
    private readonly outbox: OutboxService,
    private readonly config: AppConfig,
    private readonly awards: AwardsService,
    private readonly consent: ConsentService,
  ) {}

  open(awardId: string, dto: OpenEvaluationDto): Promise<EvaluationView & { codes: IssuedCode[] }> {
    const person = officer();
    const now = new Date();
    const closesAt = dto.closesAt ?? defaultClosesAt(now);
    if (closesAt.getTime() <= now.getTime())
      throw new ValidationFailedError(words('errors.grants.closesInFuture'));
    if (closesAt.getTime() > now.getTime() + 366 * 24 * 3_600_000)
      throw new ValidationFailedError(words('errors.grants.closesWithinYear'));
    return this.tx.run(async (m) => {
      const project = await this.repo.lockProject(m, awardId);
      if (!project || project.awardStatus !== 'APPROVED')
        throw new GrantNotFoundError('approved award', awardId);
      const total = dto.residentCodes + dto.stakeholderCodes;
      if (total < project.minEvaluators) {
        throw new ValidationFailedError(
          words('errors.grants.tooFewCodes', { min: project.minEvaluators, count: total }),
          { minResponses: project.minEvaluators, codes: total },
        );
      }
      const facts = await this.repo.openingFacts(m, awardId);
      const verdict = checkOpening({ projectStatus: project.projectStatus, ...facts });
      if (!verdict.allowed) throw new EvaluationOpeningRefusedError(verdict);
      const evaluation = await this.repo.insert(m, {
        awardId,
        seq: facts.nextSeq,
        thresholdPct: project.thresholdPct,
        minResponses: project.minEvaluators,
        openedBy: person.userId,
        closesAt,
      });
      const wanted = codeLabels(dto.residentCodes, dto.stakeholderCodes);
      let pending = wanted.map((w) => ({ ...w, code: newEvaluatorCode() }));
      // A clash with an existing code (2⁻⁵⁰ a pair) is drawn again.
      for (let attempt = 0; pending.length > 0; attempt++) {
        if (attempt > 5) throw new ConflictError(words('errors.grants.codesNotUnique'));
        const stored = await this.repo.insertCodes(m, evaluation.id, pending);
        pending = pending
          .filter((p) => !stored.has(p.code))
          .map((p) => ({ ...p, code: newEvaluatorCode() }));
      }
      await this.audit.record(m, {
        action: 'grant.evaluation.opened',
        entityType: 'grant_evaluation',
        entityId: evaluation.id,
        after: {
          awardId,
          seq: evaluation.seq,
          thresholdPct: evaluation.thresholdPct,
          minResponses: evaluation.minResponses,
          closesAt: evaluation.closesAt,
          residentCodes: dto.residentCodes,
          stakeholderCodes: dto.stakeholderCodes,
        },
      });
      const view = await this.view(evaluation, { within: m });
      return { ...view, codes: await this.issuedCodes(evaluation.id, { within: m }) };
    });
  }

  async get(id: string): Promise<EvaluationView> {
    officer();
    const evaluation = await this.repo.get(id);
    if (!evaluation) throw new GrantNotFoundError('evaluation', id);
    return this.view(evaluation);
  }

  /** The codes of an evaluation with where each one's QR points (the printable sheet). */
  async codes(id: string): Promise<{ evaluation: EvaluationView; codes: IssuedCode[] }> {
    const evaluation = await this.get(id);
    return { evaluation, codes: await this.issuedCodes(id) };
  }

  /**
   * One response per code. The code row is locked first, so of two responses on one code the
   * second waits and then finds it used; the unique code_id is the database's own guard.
   */
  respond(
    dto: EvaluationResponseDto,
    locale: SupportedLocale = 'zh-CN',
  ): Promise<{ evaluationId: string; recorded: true }> {
    const code = normalizeCode(dto.code);
    if (!code) throw new EvaluatorCodeUnknownError();
    return this.tx.run(async (m) => {
      const found = await this.repo.lockCode(m, code);
      if (!found) throw new EvaluatorCodeUnknownError();
      const { evaluation } = found;
      if (dto.evaluationId && dto.evaluationId !== evaluation.id)
        throw new EvaluatorCodeMismatchError();
      if (found.code.usedAt) throw new EvaluatorCodeUsedError();
      if (evaluation.status !== 'OPEN' || evaluation.closesAt.getTime() <= Date.now())
        throw new EvaluationClosedError(evaluation.status);
      const inserted = await this.repo.insertResponse(m, {
        evaluationId: evaluation.id,
        codeId: found.code.id,
        satisfied: dto.satisfied,
        score: dto.score,
        comment: dto.comment ?? '',
      });
      if (!inserted) throw new EvaluatorCodeUsedError();
      // The evaluator is their code, never a name.
      await this.consent.record(m, {
        subject: evaluatorSubject(found.code.id),
        purpose: 'EVALUATION',
        locale,
      });
      await this.audit.record(m, {
        action: 'grant.evaluation.responded',
        entityType: 'grant_evaluation',
        entityId: evaluation.id,
        after: {
          responseId: inserted.id,
          panel: found.code.panel,
          satisfied: dto.satisfied,
          score: dto.score,
        },
      });
      return { evaluationId: evaluation.id, recorded: true as const };
    });
  }

  /** The officer closes an evaluation once the minimum number of responses is in. */
  close(id: string): Promise<CloseOutcome> {
    officer();
    return this.tx.run(async (m) => {
      const outcome = await this.closeLocked(m, id);
      if (outcome === 'BELOW_MINIMUM') {
        const evaluation = (await this.repo.get(id, { within: m }))!;
        const tally = await this.repo.count(id, { within: m });
        throw new EvaluationBelowMinimumError(tally.responses, evaluation.minResponses);
      }
      if (!outcome) throw new EvaluationNotOpenError('closed');
      return outcome;
    });
  }

  /**
   * Cancels an OPEN evaluation (printed wrongly, cards lost, opened by mistake): its codes stop
   * working at once, responses already given are kept but never counted, the project's status
   * does not change, and a new evaluation may open. The reason goes to the audit log.
   */
  cancel(id: string, reason: string): Promise<Evaluation> {
    officer();
    const why = typeof reason === 'string' ? reason.trim() : '';
    if (why.length < 1 || why.length > CANCEL_REASON_MAX)
      throw new ValidationFailedError(
        words('errors.grants.cancelReason', { max: CANCEL_REASON_MAX }),
      );
    return this.tx.run(async (m) => {
      // Responses in flight share-lock the evaluation: they finish (or see it cancelled) first.
      const evaluation = await this.repo.lock(m, id);
      if (!evaluation) throw new GrantNotFoundError('evaluation', id);
      if (evaluation.status !== 'OPEN') throw new EvaluationNotOpenError(evaluation.status);
      const tally = await this.repo.count(id, { within: m });
      await this.repo.cancel(m, id);
      await this.audit.record(m, {
        action: 'grant.evaluation.cancelled',
        entityType: 'grant_evaluation',
        entityId: id,
        before: { status: 'OPEN', responses: tally.responses },
        after: { status: 'CANCELLED', reason: why, awardId: evaluation.awardId },
      });
      return (await this.repo.get(id, { within: m }))!;
    });
  }

  /** The back office's list: open evaluations first (soonest closing), then the latest closed. */
  async list(): Promise<EvaluationListRow[]> {
    officer();
    const now = Date.now();
    return (await this.repo.list()).map((e) => ({
      ...e,
      satisfiedPercent: satisfiedPercent(e.tally),
      overdue:
        e.status === 'OPEN' && e.closesAt.getTime() <= now && e.tally.responses < e.minResponses,
      codesUrl: `/admin/grants/evaluations/${e.id}/codes`,
    }));
  }

  /** Approved projects an evaluation may open for now (the opening rule, checked per project). */
  async readyProjects(): Promise<ReadyProject[]> {
    officer();
    return (await this.repo.readyProjects()).filter((p) => checkOpening(p).allowed);
  }

  /** The project shown on the "open an evaluation" form, with the round's rule. */
  async openingForm(awardId: string): Promise<OpeningForm> {
    officer();
    const project = await this.repo.project(awardId);
    if (!project || project.awardStatus !== 'APPROVED')
      throw new GrantNotFoundError('approved award', awardId);
    return {
      awardId,
      title: project.title,
      community: project.community,
      projectStatus: project.projectStatus,
      thresholdPct: project.thresholdPct,
      minResponses: project.minEvaluators,
    };
  }

  /**
   * The daily job: every OPEN evaluation past its closing time is closed when its minimum is in;
   * one below its minimum stays OPEN and is reported overdue (residents may still answer, staff
   * chase the missing responses or close it once they are in). Each evaluation in its own
   * transaction, so one failure does not hold back the others.
   */
  async closeDue(now = new Date()): Promise<{ closed: string[]; overdue: string[] }> {
    const closed: string[] = [];
    const overdue: string[] = [];
    for (const id of await this.repo.dueIds(now)) {
      try {
        const outcome = await RequestContext.run(
          { actor: { kind: 'system', label: 'job:grant-evaluations-close' } },
          () => this.tx.run((m) => this.closeLocked(m, id)),
        );
        if (outcome === 'BELOW_MINIMUM') overdue.push(id);
        else if (outcome) closed.push(id);
      } catch (error) {
        this.logger.error(`evaluation ${id} could not be closed: ${(error as Error).message}`);
      }
    }
    return { closed, overdue };
  }

  /** The public results of an awarded project's evaluations, oldest first. */
  async publicResults(awardId: string): Promise<{ awardId: string; items: PublicEvaluation[] }> {
    const project = await this.repo.project(awardId);
    if (!project || project.awardStatus !== 'APPROVED')
      throw new GrantNotFoundError('award', awardId);
    const items: PublicEvaluation[] = [];
    for (const e of await this.repo.listForAward(awardId)) {
      if (e.status === 'CANCELLED') continue;
      const closed = e.status === 'PASSED' || e.status === 'FAILED';
      const tally = closed
        ? { responses: e.resultResponses ?? 0, satisfied: e.resultSatisfied ?? 0 }
        : await this.repo.count(e.id);
      items.push({
        seq: e.seq,
        status: e.status,
        responses: tally.responses,
        satisfiedPercent: closed ? satisfiedPercent(tally) : null,
        meanScore: closed ? e.resultMeanScore : null,
        thresholdPct: e.thresholdPct,
        minResponses: e.minResponses,
        openedAt: e.openedAt,
        closesAt: e.closesAt,
        closedAt: e.closedAt,
        comments: closed ? await this.repo.comments(e.id) : [],
      });
    }
    return { awardId, items };
  }

  /** The public page for a code: the project and the question; refuses a used or closed code. */
  async page(rawCode: unknown): Promise<EvaluationPage> {
    const code = normalizeCode(rawCode);
    if (!code) throw new EvaluatorCodeUnknownError();
    const found = await this.repo.findCode(code);
    if (!found) throw new EvaluatorCodeUnknownError();
    if (found.usedAt) throw new EvaluatorCodeUsedError();
    const evaluation = (await this.repo.get(found.evaluationId))!;
    if (evaluation.status !== 'OPEN' || evaluation.closesAt.getTime() <= Date.now())
      throw new EvaluationClosedError(evaluation.status);
    const project = (await this.repo.project(evaluation.awardId))!;
    return {
      evaluationId: evaluation.id,
      code,
      displayCode: displayCode(code),
      title: project.title,
      community: project.community,
      subdistrict: project.subdistrict,
      summary: project.summary,
      reports: await this.repo.publicSummaries(project.awardId),
      closesAt: evaluation.closesAt,
    };
  }

  /** Closes a locked OPEN evaluation with its counted result; null when it is not OPEN (the job). */
  private async closeLocked(
    m: EntityManager,
    id: string,
  ): Promise<CloseOutcome | 'BELOW_MINIMUM' | null> {
    const evaluation = await this.repo.lock(m, id);
    if (!evaluation) throw new GrantNotFoundError('evaluation', id);
    if (evaluation.status !== 'OPEN') {
      if (RequestContext.current()?.actor?.kind === 'system') return null;
      throw new EvaluationNotOpenError(evaluation.status);
    }
    const project = (await this.repo.lockProject(m, evaluation.awardId))!;
    const tally = await this.repo.count(id, { within: m });
    const result = evaluationResult(tally, evaluation);
    if (result === 'PENDING') return 'BELOW_MINIMUM';
    const mean = meanScore(tally.scoreSum, tally.responses);
    await this.repo.close(m, id, {
      status: result,
      responses: tally.responses,
      satisfied: tally.satisfied,
      meanScore: mean,
    });
    const move = projectStatusAfter(result);
    const moved = await this.repo.setProjectStatus(m, project.awardId, move.to, move.from);
    if (!moved) {
      throw new ConflictError(words('errors.grants.resultNeedsCompleted'));
    }
    const pct = satisfiedPercent(tally);
    await this.audit.record(m, {
      action: 'grant.evaluation.closed',
      entityType: 'grant_evaluation',
      entityId: id,
      before: { status: 'OPEN' },
      after: {
        status: result,
        responses: tally.responses,
        satisfied: tally.satisfied,
        satisfiedPercent: pct,
        meanScore: mean,
        thresholdPct: evaluation.thresholdPct,
      },
    });
    await this.audit.record(m, {
      action:
        result === 'PASSED' ? 'grant.project.evaluated' : 'grant.project.rectification_required',
      entityType: 'grant_award',
      entityId: project.awardId,
      before: { projectStatus: project.projectStatus },
      after: { projectStatus: move.to, evaluationId: id },
    });
    // A passed project whose tranches are all paid (or that has none) is finished now.
    const closedNow =
      move.to === 'EVALUATED' &&
      (await this.awards.closeIfDone(m, await this.awards.get(project.awardId, { within: m })));
    const locale = project.grantee.locale;
    await this.outbox.enqueue(m, {
      template: 'grant-evaluation-result',
      to: project.grantee.email,
      locale,
      dedupeKey: `grant-evaluation-result:${id}`,
      data: {
        granteeName: project.grantee.name,
        projectTitle: project.title,
        passed: result === 'PASSED',
        satisfied: `${pct ?? 0}%`,
        threshold: `${evaluation.thresholdPct}%`,
        responses: tally.responses,
        url: `${this.config.publicUrl}/api/v1/grants/awards/${project.awardId}/evaluations`,
      },
    });
    return {
      evaluation: (await this.repo.get(id, { within: m }))!,
      projectStatus: closedNow ? 'CLOSED' : move.to,
    };
  }

  private async view(
    evaluation: Evaluation,
    opts: { within?: EntityManager } = {},
  ): Promise<EvaluationView> {
    const project = (await this.repo.project(evaluation.awardId, opts))!;
    const tally = await this.repo.count(evaluation.id, opts);
    return {
      ...evaluation,
      project: {
        awardId: project.awardId,
        title: project.title,
        projectStatus: project.projectStatus,
        community: project.community,
      },
      tally: {
        responses: tally.responses,
        satisfied: tally.satisfied,
        satisfiedPercent: satisfiedPercent(tally),
        meanScore: meanScore(tally.scoreSum, tally.responses),
      },
      overdue:
        evaluation.status === 'OPEN' &&
        evaluation.closesAt.getTime() <= Date.now() &&
        tally.responses < evaluation.minResponses,
      codesUrl: `/admin/grants/evaluations/${evaluation.id}/codes`,
    };
  }

  private async issuedCodes(
    id: string,
    opts: { within?: EntityManager } = {},
  ): Promise<IssuedCode[]> {
    const codes: EvaluatorCode[] = await this.repo.codes(id, opts);
    return codes.map((c) => ({
      code: c.code,
      label: c.label,
      panel: c.panel,
      used: c.usedAt !== null,
      url: this.evaluateUrl(c.code),
    }));
  }

  /** The public page for a code, at the configured public address. */
  evaluateUrl(code: string): string {
    return `${this.config.publicUrl}/evaluate?code=${encodeURIComponent(code)}`;
  }
}
