import { parseCsv } from '../../../common/csv';
import { fundUse } from './fund-use';
import { awardsCsvHeader, awardsCsvRow, fundUseCsvRow } from './insights-csv';

describe('grants CSV exports', () => {
  it('writes awards with formulas defused and quotes escaped', () => {
    const line = awardsCsvRow({
      roundYear: 2025,
      roundNameZh: '2025年度, "区级"',
      awardId: 'a1',
      title: '=HYPERLINK("http://evil")',
      subdistrictNameZh: '+街道',
      communityNameZh: '@社区',
      fundCode: 'F-1',
      tierKey: 'first',
      status: 'APPROVED',
      projectStatus: 'CLOSED',
      designAwardMinor: 30_000_000,
      constructionMinor: 12_345,
      paidMinor: 30_012_345,
      currency: 'CNY',
      proposedAt: new Date('2025-06-01T00:00:00Z'),
    });
    const [row] = parseCsv(line);
    expect(row![1]).toBe('2025年度, "区级"');
    expect(row![3]).toBe(`'=HYPERLINK("http://evil")`);
    expect(row![4]).toBe("'+街道");
    expect(row![5]).toBe("'@社区");
    expect(row!.slice(10, 16)).toEqual([
      '300000.00',
      '30000000',
      '123.45',
      '12345',
      '300123.45',
      '30012345',
    ]);
    expect(awardsCsvHeader().startsWith('\uFEFFround_year,round,')).toBe(true);
  });

  it('writes the fund use rate with one decimal', () => {
    const use = fundUse({ openingMinor: 600_00, moneyInMinor: 400_00, paidOutMinor: 801_00 });
    expect(use.availableMinor).toBe(1000_00);
    expect(use.useRate).toBeCloseTo(0.801);
    const [row] = parseCsv(
      fundUseCsvRow({
        ...use,
        year: 2026,
        code: 'F-1',
        nameZh: '-基金',
        nameEn: 'Fund',
        kind: 'PROGRAM',
        currency: 'CNY',
      }),
    );
    expect(row).toEqual([
      '2026',
      'F-1',
      "'-基金",
      'Fund',
      'PROGRAM',
      '600.00',
      '400.00',
      '1000.00',
      '801.00',
      '80.1',
      '60000',
      '40000',
      '100000',
      '80100',
      'CNY',
    ]);
    expect(fundUse({ openingMinor: 0, moneyInMinor: 0, paidOutMinor: 0 }).useRate).toBeNull();
  });
});
