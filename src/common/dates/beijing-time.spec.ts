import { beijingDate, beijingDateTime, beijingTimestamp } from './beijing-time';

describe('Beijing time', () => {
  // 16:30 UTC on 3 December is 00:30 on 4 December in Beijing.
  const lateEvening = new Date('2026-12-03T16:30:05Z');

  it('names the Beijing day, not the server’s', () => {
    expect(beijingDate(lateEvening, 'zh-CN')).toBe('2026年12月4日');
    expect(beijingDate(lateEvening, 'en')).toBe('Dec 4, 2026');
  });

  it('states the zone with a time of day, in 24-hour time', () => {
    expect(beijingDateTime(lateEvening, 'zh-CN')).toBe('2026年12月4日 00:30（北京时间）');
    expect(beijingDateTime(lateEvening, 'en')).toBe('Dec 4, 2026, 00:30 (Beijing time)');
  });

  it('writes a sortable wall time for CSV files', () => {
    expect(beijingTimestamp(lateEvening)).toBe('2026-12-04 00:30:05');
  });
});
