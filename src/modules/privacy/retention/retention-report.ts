import { beijingDateTime } from '../../../common/dates/beijing-time';
import { translate, type SupportedLocale } from '../../../common/i18n/i18n';
import { RETENTION_KINDS, type RetentionCounts, type RetentionTrigger } from './retention-rules';

/** A run's counts in words: one line per kind, in the order the job runs them. Pure. */
export function removedInWords(
  removed: RetentionCounts,
  locale: SupportedLocale,
): { kind: string; count: number }[] {
  return RETENTION_KINDS.map((k) => ({
    kind: translate(locale, `privacy.retention.kind.${k}`),
    count: removed[k],
  }));
}

/** A run as plain text (the CLI prints it). Pure. */
export function retentionReportText(
  report: { trigger: RetentionTrigger; finishedAt: Date | null; removed: RetentionCounts },
  locale: SupportedLocale,
): string {
  const lines = removedInWords(report.removed, locale);
  const width = Math.max(...lines.map((l) => l.kind.length));
  const head = translate(locale, 'privacy.retention.reportHead', {
    trigger: translate(locale, `privacy.retention.trigger.${report.trigger}`),
    at: report.finishedAt ? beijingDateTime(report.finishedAt, locale) : '—',
  });
  return `${head}\n${lines.map((l) => `  ${l.kind.padEnd(width)}  ${l.count}`).join('\n')}\n`;
}
