import type { Role } from '../common/auth/roles';

/**
 * The demo foundation: 14 subdistricts of 8 communities each (112), 29 of them with an active
 * community fund and 10 preparing one. Names are invented but follow local naming habits.
 */
export const DEMO_FOUNDATION = {
  legalNameZh: '示范区社区发展基金会',
  legalNameEn: 'Shifan District Community Development Foundation',
  registrationNumber: '53440300MJL00001XD',
  currency: 'CNY',
  defaultLocale: 'zh-CN' as const,
  receiptPrefix: 'LX',
};

export const DEMO_SUBDISTRICTS: [zh: string, en: string][] = [
  ['南头街道', 'Nantou'],
  ['南山街道', 'Nanshan'],
  ['沙河街道', 'Shahe'],
  ['蛇口街道', 'Shekou'],
  ['招商街道', 'Zhaoshang'],
  ['粤海街道', 'Yuehai'],
  ['桃源街道', 'Taoyuan'],
  ['西丽街道', 'Xili'],
  ['华侨城街道', 'Huaqiaocheng'],
  ['前海街道', 'Qianhai'],
  ['松坪街道', 'Songping'],
  ['龙井街道', 'Longjing'],
  ['大冲街道', 'Dachong'],
  ['月亮湾街道', 'Yueliangwan'],
];

const BASES: [string, string][] = [
  ['桃源', 'Taoyuan'],
  ['和平', 'Heping'],
  ['幸福', 'Xingfu'],
  ['翠竹', 'Cuizhu'],
  ['明珠', 'Mingzhu'],
  ['东湖', 'Donghu'],
  ['西湾', 'Xiwan'],
  ['南园', 'Nanyuan'],
  ['金沙', 'Jinsha'],
  ['银湖', 'Yinhu'],
  ['松坪', 'Songping'],
  ['荔香', 'Lixiang'],
  ['枫林', 'Fenglin'],
  ['海月', 'Haiyue'],
  ['青山', 'Qingshan'],
  ['玉泉', 'Yuquan'],
];
const SUFFIXES: [string, string][] = [
  ['新村', 'Xincun'],
  ['花园', 'Huayuan'],
  ['北里', 'Beili'],
  ['南苑', 'Nanyuan'],
  ['东街', 'Dongjie'],
  ['西坊', 'Xifang'],
  ['中心', 'Zhongxin'],
];

export interface DemoCommunity {
  code: string;
  subdistrictIndex: number;
  nameZh: string;
  nameEn: string;
  households: number;
}

/** 112 distinct communities, 8 per subdistrict, deterministic. */
export function demoCommunities(): DemoCommunity[] {
  const names: [string, string][] = [];
  for (const [sz, se] of SUFFIXES)
    for (const [bz, be] of BASES) names.push([`${bz}${sz}`, `${be} ${se}`]);
  return names.slice(0, DEMO_SUBDISTRICTS.length * 8).map(([zh, en], i) => ({
    code: `C${String(i + 1).padStart(3, '0')}`,
    subdistrictIndex: i % DEMO_SUBDISTRICTS.length,
    nameZh: `${zh}社区`,
    nameEn: `${en} Community`,
    households: 1800 + ((i * 379) % 4200),
  }));
}

/** Which communities get an active (29) or preparing (10) fund: spread over the subdistricts. */
export function demoFundPlan(count: number): { active: number[]; preparing: number[] } {
  const order = Array.from({ length: count }, (_, i) => (i * 23) % count);
  return { active: order.slice(0, 29), preparing: order.slice(29, 39) };
}

export const YUAN = 100;

export const DEMO_PEOPLE: { email: string; name: string; roles: Role[] }[] = [
  { email: 'admin@demo.lianxin.test', name: '王静 (Admin)', roles: ['ADMIN'] },
  { email: 'finance@demo.lianxin.test', name: '陈敏 (Finance)', roles: ['FINANCE'] },
  { email: 'grants@demo.lianxin.test', name: '刘洋 (Grants)', roles: ['GRANTS_OFFICER'] },
  {
    email: 'leader@demo.lianxin.test',
    name: '赵丽 (Community leader)',
    roles: ['COMMUNITY_LEADER'],
  },
];
