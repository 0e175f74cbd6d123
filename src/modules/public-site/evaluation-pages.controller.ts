import { Body, Controller, Get, Post, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Public } from '../../common/auth/policy.decorator';
import { DomainError, ERROR_HTTP_STATUS } from '../../common/errors';
import { translate, type SupportedLocale } from '../../common/i18n/i18n';
import { pageContext } from '../../common/views/page-context';
import { renderPage } from '../../common/views/render-page';
import { normalizeCode } from '../grants/evaluations/evaluation-rules';
import { type EvaluationPage, EvaluationsService } from '../grants/evaluations/evaluations.service';
import { PrivacyNoticeService } from '../privacy/policy/privacy-notice.service';

/** The codes whose refusal the page explains in words (anything else is the error page's). */
const CODE_ERRORS = new Set([
  'EVALUATOR_CODE_UNKNOWN',
  'EVALUATOR_CODE_USED',
  'EVALUATOR_CODE_MISMATCH',
  'EVALUATION_CLOSED',
]);

interface FormValues {
  satisfied?: string;
  score?: string;
  comment?: string;
}

type Checked =
  | { ok: true; value: { satisfied: boolean; score: number; comment: string } }
  | { ok: false; errors: Record<string, string> };

function checkResponse(body: Record<string, unknown>, locale: SupportedLocale): Checked {
  const errors: Record<string, string> = {};
  const satisfied = body.satisfied;
  if (satisfied !== 'yes' && satisfied !== 'no')
    errors.satisfied = translate(locale, 'grants.evaluations.page.chooseSatisfied');
  const score =
    typeof body.score === 'string' && /^[1-5]$/.test(body.score) ? Number(body.score) : null;
  if (score === null) errors.score = translate(locale, 'grants.evaluations.page.chooseScore');
  const comment = typeof body.comment === 'string' ? body.comment.trim() : '';
  if (typeof body.comment !== 'undefined' && typeof body.comment !== 'string')
    errors.comment = translate(locale, 'grants.evaluations.page.commentTooLong');
  else if ([...comment].length > 2000 || comment.length > 2000)
    errors.comment = translate(locale, 'grants.evaluations.page.commentTooLong');
  if (Object.keys(errors).length > 0 || score === null) return { ok: false, errors };
  return { ok: true, value: { satisfied: satisfied === 'yes', score, comment } };
}

/**
 * The public evaluation page (满意度测评), phone-first and without sign-in: a resident opens it from
 * the QR on their printed code, reads what was built, answers once. A refused code (unknown, used,
 * another evaluation's, closed) is explained in words and nothing is stored.
 */
@ApiExcludeController()
@Controller()
export class EvaluationPagesController {
  constructor(
    private readonly evaluations: EvaluationsService,
    private readonly notices: PrivacyNoticeService,
  ) {}

  @Get('evaluate')
  @Public()
  async show(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @Query('code') code?: string) {
    const context = pageContext(req, reply);
    if (code === undefined || code === '') {
      return renderPage(
        reply,
        context,
        'pages/public/evaluation-form',
        await this.entry(context.locale, null, ''),
      );
    }
    try {
      const page = await this.evaluations.page(code);
      return renderPage(
        reply,
        context,
        'pages/public/evaluation-form',
        await this.form(context.locale, page, {}, {}),
      );
    } catch (error) {
      return this.refused(reply, context, error, typeof code === 'string' ? code : '');
    }
  }

  @Post('evaluate')
  @Public()
  async respond(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @Body() body: unknown) {
    const context = pageContext(req, reply);
    const fields = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
    const code = typeof fields.code === 'string' ? fields.code : '';
    const evaluationId = typeof fields.evaluationId === 'string' ? fields.evaluationId : undefined;
    const values: FormValues = {
      satisfied: typeof fields.satisfied === 'string' ? fields.satisfied : undefined,
      score: typeof fields.score === 'string' ? fields.score : undefined,
      comment: typeof fields.comment === 'string' ? fields.comment : undefined,
    };
    try {
      const checked = checkResponse(fields, context.locale);
      if (!checked.ok) {
        const page = await this.evaluations.page(code);
        return renderPage(
          reply,
          context,
          'pages/public/evaluation-form',
          await this.form(context.locale, page, values, checked.errors),
          422,
        );
      }
      await this.evaluations.respond(
        {
          code,
          // A malformed id is another evaluation's as far as this code is concerned.
          evaluationId:
            evaluationId === undefined ||
            /^[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}$/i.test(evaluationId)
              ? evaluationId
              : '00000000-0000-0000-0000-000000000000',
          ...checked.value,
        },
        context.locale,
      );
      return reply.redirect(`/evaluate/thanks?lang=${context.locale}`, 303);
    } catch (error) {
      return this.refused(reply, context, error, code);
    }
  }

  @Get('evaluate/thanks')
  @Public()
  thanks(@Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    const context = pageContext(req, reply);
    return renderPage(reply, context, 'pages/public/evaluation-thanks', {
      title: translate(context.locale, 'grants.evaluations.page.thanksTitle'),
    });
  }

  private async refused(
    reply: FastifyReply,
    context: ReturnType<typeof pageContext>,
    error: unknown,
    code: string,
  ) {
    if (!(error instanceof DomainError) || !CODE_ERRORS.has(error.code)) throw error;
    const message = translate(context.locale, `grants.evaluations.errors.${error.code}`);
    return renderPage(
      reply,
      context,
      'pages/public/evaluation-form',
      await this.entry(context.locale, message, normalizeCode(code) ?? ''),
      ERROR_HTTP_STATUS[error.code],
    );
  }

  private async entry(locale: SupportedLocale, refusal: string | null, code: string) {
    return {
      privacyNotice: await this.notices.notice('evaluation', locale),
      title: translate(locale, 'grants.evaluations.page.title'),
      refusal,
      code,
      project: null,
    };
  }

  private async form(
    locale: SupportedLocale,
    page: EvaluationPage,
    values: FormValues,
    errors: Record<string, string>,
  ) {
    const community = locale === 'en' ? page.community.nameEn : page.community.nameZh;
    const subdistrict = locale === 'en' ? page.subdistrict.nameEn : page.subdistrict.nameZh;
    return {
      privacyNotice: await this.notices.notice('evaluation', locale),
      title: translate(locale, 'grants.evaluations.page.title'),
      project: {
        evaluationId: page.evaluationId,
        code: page.code,
        displayCode: page.displayCode,
        title: page.title,
        place: `${subdistrict} · ${community}`,
        summary: page.summary,
        reports: page.reports.map((r) => ({
          kind: translate(locale, `grants.evaluations.reportKind.${r.kind}`),
          summary: r.summary,
        })),
        closesAt: page.closesAt,
      },
      scores: [1, 2, 3, 4, 5].map((n) => ({
        value: String(n),
        label: translate(locale, `grants.evaluations.page.score${n}`),
        checked: values.score === String(n),
      })),
      values: {
        yes: values.satisfied === 'yes',
        no: values.satisfied === 'no',
        comment: values.comment ?? '',
      },
      errors,
      hasErrors: Object.keys(errors).length > 0,
    };
  }
}
