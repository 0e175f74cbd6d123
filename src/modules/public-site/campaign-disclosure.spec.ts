import { campaignWindow, plainExcerpt, progressBar } from './campaign-disclosure';

describe('progressBar', () => {
  it.each([
    // raised, matched, goal → ratio, donors width, matched width, over goal
    [30_000, 10_000, 100_000, 0.4, 30, 10, false],
    [0, 0, 100_000, 0, 0, 0, false],
    [100_000, 0, 100_000, 1, 100, 0, false],
    [90_000, 35_000, 100_000, 1.25, 90, 10, true],
    [150_000, 50_000, 100_000, 2, 100, 0, true],
    [1, 0, 300, 0.0033, 0.33, 0, false],
  ])('%d + %d of %d', (raised, matched, goal, ratio, donors, matchedWidth, over) => {
    const bar = progressBar(raised, matched, goal)!;
    expect(bar.ratio).toBe(ratio);
    expect(bar.donorsWidth).toBe(donors);
    expect(bar.matchedX).toBe(donors);
    expect(bar.matchedWidth).toBe(matchedWidth);
    expect(bar.overGoal).toBe(over);
    expect(bar.donorsWidth + bar.matchedWidth).toBeLessThanOrEqual(100);
  });

  it('has no bar without a goal', () => {
    expect(progressBar(100, 0, null)).toBeNull();
    expect(progressBar(100, 0, 0)).toBeNull();
  });
});

describe('campaignWindow', () => {
  // 2026-12-03 10:00 in Beijing.
  const now = new Date('2026-12-03T02:00:00Z');
  const at = (iso: string) => new Date(iso);

  it.each([
    [
      'ends in three Beijing days',
      { endsAt: at('2026-12-06T16:00:00Z') },
      { kind: 'daysLeft', days: 3 },
    ],
    [
      'ends at Beijing midnight tonight: today is the last day',
      { endsAt: at('2026-12-03T16:00:00Z') },
      { kind: 'lastDay' },
    ],
    ['ends later today', { endsAt: at('2026-12-03T12:00:00Z') }, { kind: 'lastDay' }],
    [
      'ends tomorrow at noon',
      { endsAt: at('2026-12-04T04:00:00Z') },
      { kind: 'daysLeft', days: 1 },
    ],
    ['has ended', { endsAt: at('2026-12-03T01:59:59Z') }, { kind: 'ended' }],
    ['has no end', {}, { kind: 'open' }],
    [
      'opens later',
      { startsAt: at('2026-12-05T00:00:00Z') },
      { kind: 'upcoming', opensAt: at('2026-12-05T00:00:00Z') },
    ],
  ])('%s', (_name, dates: { startsAt?: Date; endsAt?: Date }, expected) => {
    expect(
      campaignWindow(
        { status: 'LIVE', startsAt: dates.startsAt ?? null, endsAt: dates.endsAt ?? null },
        now,
      ),
    ).toEqual(expected);
  });

  it('an ENDED campaign has ended whatever its dates say', () => {
    expect(campaignWindow({ status: 'ENDED', startsAt: null, endsAt: null }, now)).toEqual({
      kind: 'ended',
    });
  });
});

describe('plainExcerpt', () => {
  it('removes tags and Markdown marks and cuts at the limit', () => {
    expect(
      plainExcerpt('Wheelchairs for the **elderly** <script>x</script> [here](https://a.b)'),
    ).toBe('Wheelchairs for the elderly x here');
    expect(plainExcerpt('a'.repeat(200), 10)).toBe(`${'a'.repeat(9)}…`);
  });
});
