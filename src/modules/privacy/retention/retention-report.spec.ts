import { retentionReportText } from './retention-report';
import { zeroCounts } from './retention-rules';

describe('retention report in words', () => {
  it('names each kind and its count, with the run in Beijing time', () => {
    const removed = { ...zeroCounts(), sessions: 3, donationIps: 12 };
    const at = new Date('2026-12-03T16:30:00Z');
    const en = retentionReportText({ trigger: 'MANUAL', finishedAt: at, removed }, 'en');
    expect(en.split('\n')[0]).toBe(
      'Retention run (Manual), finished Dec 4, 2026, 00:30 (Beijing time)',
    );
    expect(en).toMatch(/^ {2}Sign-in sessions +3$/m);
    expect(en).toMatch(/^ {2}Gift IP addresses +12$/m);
    expect(en).toMatch(/^ {2}Donor contact details +0$/m);
    const zh = retentionReportText({ trigger: 'SCHEDULED', finishedAt: at, removed }, 'zh-CN');
    expect(zh).toContain('定时');
    expect(zh).toMatch(/^ {2}登录会话 +3$/m);
  });
});
