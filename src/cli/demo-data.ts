import type { Role } from '../common/auth/roles';

/**
 * The demo foundation: 成华区社区发展基金会 of Chenghua District, Chengdu, with the district's 14
 * subdistricts (街道) and 112 communities (社区), 29 of them with an active community fund and 10
 * preparing one. The subdistricts and most communities carry the names of a published list of the
 * district; the few marked `invented` are made up in the same style to reach 112. The registration
 * number and certificates are invented (marked 演示).
 */
export const DEMO_FOUNDATION = {
  legalNameZh: '成都市成华区社区发展基金会',
  legalNameEn: 'Chenghua District Community Development Foundation, Chengdu',
  registrationNumber: '53510108MJL00001XD',
  currency: 'CNY',
  defaultLocale: 'zh-CN' as const,
  receiptPrefix: 'LX',
  // Invented, like the registration number: a real foundation enters its certificate here.
  fundraisingQualification: '成都市民政局 公开募捐资格证书（演示）第 2019-001 号',
};

interface DemoSubdistrict {
  zh: string;
  en: string;
  /** Communities of the published list: [Chinese name without 社区, pinyin]. */
  communities: [zh: string, en: string][];
  /** Made-up communities in the same style (the published list has 98 + 华泰). */
  invented?: [zh: string, en: string][];
}

export const DEMO_SUBDISTRICTS: DemoSubdistrict[] = [
  {
    zh: '猛追湾街道',
    en: 'Mengzhuiwan',
    communities: [
      ['望平', 'Wangping'],
      ['祥和里', 'Xiangheli'],
      ['东街', 'Dongjie'],
      ['建华', 'Jianhua'],
      ['石油', 'Shiyou'],
      ['新兴', 'Xinxing'],
    ],
  },
  {
    zh: '双桥子街道',
    en: 'Shuangqiaozi',
    communities: [
      ['双林中横路', 'Shuanglin Zhonghenglu'],
      ['水碾河路北', 'Shuinianhelu North'],
      ['双桥路北', 'Shuangqiaolu North'],
      ['双林', 'Shuanglin'],
    ],
    invented: [
      ['双桥路南', 'Shuangqiaolu South'],
      ['双林北', 'Shuanglin North'],
    ],
  },
  {
    zh: '府青路街道',
    en: 'Fuqinglu',
    communities: [
      ['八里庄', 'Balizhuang'],
      ['府青', 'Fuqing'],
      ['李家沱', 'Lijiatuo'],
    ],
    invented: [
      ['驷马桥', 'Simaqiao'],
      ['建材路', 'Jiancailu'],
      ['昭觉寺南路', 'Zhaojuesi Nanlu'],
    ],
  },
  {
    zh: '二仙桥街道',
    en: 'Erxianqiao',
    communities: [
      ['东路', 'Donglu'],
      ['下涧槽', 'Xiajiancao'],
      ['西北路', 'Xibeilu'],
    ],
    invented: [
      ['二仙桥', 'Erxianqiao'],
      ['建东', 'Jiandong'],
      ['双华', 'Shuanghua'],
    ],
  },
  {
    zh: '跳蹬河街道',
    en: 'Tiaodenghe',
    communities: [
      ['东篱路', 'Donglilu'],
      ['杉板桥', 'Shanbanqiao'],
      ['跳蹬河', 'Tiaodenghe'],
      ['锦绣', 'Jinxiu'],
    ],
    invented: [['东郊', 'Dongjiao']],
  },
  {
    zh: '建设路街道',
    en: 'Jianshelu',
    communities: [
      ['电子科大', 'Dianzi Keda'],
      ['建兴路', 'Jianxinglu'],
      ['建设中路', 'Jianshe Zhonglu'],
      ['培华路', 'Peihualu'],
    ],
    invented: [
      ['建设北路', 'Jianshe Beilu'],
      ['建设南路', 'Jianshe Nanlu'],
    ],
  },
  {
    zh: '新鸿路街道',
    en: 'Xinhonglu',
    communities: [
      ['新鸿', 'Xinhong'],
      ['菽香里', 'Shuxiangli'],
      ['新华', 'Xinhua'],
      ['万晟', 'Wansheng'],
    ],
    invented: [
      ['新鸿北', 'Xinhong North'],
      ['新华东', 'Xinhua East'],
    ],
  },
  {
    zh: '桃蹊路街道',
    en: 'Taoxilu',
    communities: [
      ['桃源', 'Taoyuan'],
      ['文德', 'Wende'],
      ['怡福', 'Yifu'],
      ['桃溪', 'Taoxi'],
      ['踏水', 'Tashui'],
    ],
  },
  {
    zh: '万年场街道',
    en: 'Wannianchang',
    communities: [
      ['长天路', 'Changtianlu'],
      ['万年路', 'Wannianlu'],
      ['槐树店', 'Huaishudian'],
      ['双庆路', 'Shuangqinglu'],
      ['红桥', 'Hongqiao'],
      ['联合', 'Lianhe'],
    ],
  },
  {
    zh: '双水碾街道',
    en: 'Shuangshuinian',
    communities: [
      ['花径路', 'Huajinglu'],
      ['站北路', 'Zhanbeilu'],
      ['东沙路', 'Dongshalu'],
      ['红花堰', 'Honghuayan'],
      ['横桥', 'Hengqiao'],
      ['荆竹', 'Jingzhu'],
    ],
  },
  {
    zh: '圣灯街道',
    en: 'Shengdeng',
    communities: [
      ['关家', 'Guanjia'],
      ['圣灯', 'Shengdeng'],
      ['建北', 'Jianbei'],
      ['崔家店', 'Cuijiadian'],
      ['东华', 'Donghua'],
      ['长林盘', 'Changlinpan'],
      ['人民塘', 'Renmintang'],
      ['关家堰', 'Guanjiayan'],
      ['华林', 'Hualin'],
    ],
  },
  {
    zh: '保和街道',
    en: 'Baohe',
    communities: [
      ['和美', 'Hemei'],
      ['杨柳', 'Yangliu'],
      ['团结', 'Tuanjie'],
      ['和顺', 'Heshun'],
      ['东升', 'Dongsheng'],
      ['天鹅', "Tian'e"],
      ['斑竹', 'Banzhu'],
      ['东虹路', 'Donghonglu'],
      ['迎晖', 'Yinghui'],
      ['胜利', 'Shengli'],
    ],
  },
  {
    zh: '青龙街道',
    en: 'Qinglong',
    communities: [
      ['白莲', 'Bailian'],
      ['昭青路', 'Zhaoqinglu'],
      ['仁义路', 'Renyilu'],
      ['昭觉', 'Zhaojue'],
      ['回龙', 'Huilong'],
      ['一里塘', 'Yilitang'],
      ['海滨湾', 'Haibinwan'],
      ['白莲池', 'Bailianchi'],
      ['西林', 'Xilin'],
      ['狮子', 'Shizi'],
      ['将军碑', 'Jiangjunbei'],
      ['东林', 'Donglin'],
      ['新山', 'Xinshan'],
      ['石岭', 'Shiling'],
    ],
  },
  {
    zh: '龙潭街道',
    en: 'Longtan',
    communities: [
      ['正街', 'Zhengjie'],
      ['隆兴路', 'Longxinglu'],
      ['鹅林', 'Elin'],
      ['向龙', 'Xianglong'],
      ['平丰', 'Pingfeng'],
      ['高洪', 'Gaohong'],
      ['光明', 'Guangming'],
      ['桂林', 'Guilin'],
      ['建设', 'Jianshe'],
      ['同乐', 'Tongle'],
      ['丛树', 'Congshu'],
      ['威灵', 'Weiling'],
      ['院东', 'Yuandong'],
      ['院山', 'Yuanshan'],
      ['保平', 'Baoping'],
      ['同仁', 'Tongren'],
      ['石马', 'Shima'],
      ['秀水', 'Xiushui'],
      ['和成', 'Hecheng'],
      ['新民', 'Xinmin'],
      ['华泰', 'Huatai'],
    ],
  },
];

export interface DemoCommunity {
  code: string;
  subdistrictIndex: number;
  nameZh: string;
  nameEn: string;
  households: number;
}

/** The 112 communities, subdistrict by subdistrict, with codes C001–C112; deterministic. */
export function demoCommunities(): DemoCommunity[] {
  const all = DEMO_SUBDISTRICTS.flatMap((s, subdistrictIndex) =>
    [...s.communities, ...(s.invented ?? [])].map(([zh, en]) => ({ zh, en, subdistrictIndex })),
  );
  return all.map(({ zh, en, subdistrictIndex }, i) => ({
    code: `C${String(i + 1).padStart(3, '0')}`,
    subdistrictIndex,
    nameZh: `${zh}社区`,
    nameEn: `${en} Community`,
    households: 1800 + ((i * 379) % 4200),
  }));
}

/** The community whose fund the demo leader (王丽) looks after. */
export const DEMO_LEADER_COMMUNITY = '和美社区';
/** The demo planner's community; it applies for grants there. */
export const DEMO_PLANNER_COMMUNITY = '下涧槽社区';

/**
 * Community planners of other communities who applied in the demo rounds (so projects come from
 * several communities). Same password as the demo accounts; printed with them.
 */
export const DEMO_APPLICANTS: { email: string; name: string; community: string }[] = [
  { email: 'planner.shanbanqiao@demo.lianxin.test', name: '李娜', community: '杉板桥社区' },
  { email: 'planner.wangping@demo.lianxin.test', name: '张伟', community: '望平社区' },
  { email: 'planner.huatai@demo.lianxin.test', name: '黄磊', community: '华泰社区' },
  { email: 'planner.huaishudian@demo.lianxin.test', name: '吴芳', community: '槐树店社区' },
  { email: 'planner.balizhuang@demo.lianxin.test', name: '何静', community: '八里庄社区' },
];

/**
 * Which communities get an active (29) or preparing (10) fund: the leader's, the planners' and
 * the applicants' communities first (the leader's first of all: its fund is `active[0]`), then
 * the others spread over the subdistricts.
 */
export function demoFundPlan(communities: readonly DemoCommunity[]): {
  active: number[];
  preparing: number[];
} {
  const count = communities.length;
  const named = [
    DEMO_LEADER_COMMUNITY,
    DEMO_PLANNER_COMMUNITY,
    ...DEMO_APPLICANTS.map((a) => a.community),
  ].map((name) => {
    const index = communities.findIndex((c) => c.nameZh === name);
    if (index < 0) throw new Error(`seed-demo: no demo community is called ${name}`);
    return index;
  });
  const spread = Array.from({ length: count }, (_, i) => (i * 23) % count).filter(
    (i) => !named.includes(i),
  );
  const order = [...named, ...spread];
  return { active: order.slice(0, 29), preparing: order.slice(29, 39) };
}

export const YUAN = 100;

export const DEMO_PEOPLE: { email: string; name: string; roles: Role[] }[] = [
  { email: 'admin@demo.lianxin.test', name: '杨静', roles: ['ADMIN'] },
  { email: 'finance@demo.lianxin.test', name: '陈敏', roles: ['FINANCE'] },
  { email: 'grants@demo.lianxin.test', name: '刘洋', roles: ['GRANTS_OFFICER'] },
  { email: 'leader@demo.lianxin.test', name: '王丽', roles: ['COMMUNITY_LEADER'] },
  { email: 'reviewer@demo.lianxin.test', name: '周杰', roles: ['REVIEWER'] },
  { email: 'planner@demo.lianxin.test', name: '孙悦', roles: ['PLANNER'] },
];

/** The fund the demo grant rounds reserve and pay from, topped up from the general fund. */
export const DEMO_GRANTS_FUND = {
  code: 'PROG-GRANTS',
  nameZh: '社区规划项目资助基金',
  nameEn: 'Community Planning Grants Fund',
  topUpMinor: 1_000_000 * YUAN,
};

export const DEMO_ROUND_TIERS = [
  { key: 'first', nameZh: '一等奖', nameEn: 'First prize', amountMinor: 30_000 * YUAN, count: 1 },
  { key: 'second', nameZh: '二等奖', nameEn: 'Second prize', amountMinor: 20_000 * YUAN, count: 2 },
  { key: 'third', nameZh: '三等奖', nameEn: 'Third prize', amountMinor: 10_000 * YUAN, count: 3 },
];

export const DEMO_RUBRIC = [
  { key: 'need', nameZh: '社区需求', nameEn: 'Community need', weight: 3, min: 1, max: 10 },
  { key: 'design', nameZh: '设计质量', nameEn: 'Design quality', weight: 3, min: 1, max: 10 },
  {
    key: 'participation',
    nameZh: '居民参与',
    nameEn: 'Resident participation',
    weight: 2,
    min: 1,
    max: 10,
  },
  { key: 'feasibility', nameZh: '可行性', nameEn: 'Feasibility', weight: 2, min: 1, max: 10 },
];

/** Where a demo application ends up. */
export type DemoOutcome =
  | 'CLOSED' // awarded, built, evaluated, every tranche paid
  | 'EVALUATED' // evaluated; the last tranche requested recently, waiting for finance
  | 'RECTIFICATION' // evaluation failed; a recent rectification report waits for the officer
  | 'IN_PROGRESS' // started, midterm report accepted, two tranches paid; still being built
  | 'AWARDED' // approved, not started
  | 'STARTED' // approved, start report accepted, first tranche requested
  | 'PROPOSED' // shortlisted, award proposed, waiting for approval
  | 'SHORTLISTED'
  | 'DECLINED'
  | 'UNDER_REVIEW'
  | 'SUBMITTED'
  | 'DRAFT';

export interface DemoProject {
  title: string;
  summary: string;
  /** 0: the demo planner; 1–5: DEMO_APPLICANTS[n - 1]. */
  applicant: number;
  budget: [item: string, yuan: number][];
  outcome: DemoOutcome;
  tierKey?: string;
  constructionYuan?: number;
  /** The reviewer's scores: need, design, participation, feasibility. */
  scores?: [number, number, number, number];
}

export interface DemoRound {
  year: number;
  /** A finished round: its story is back-dated to that year and it is closed. */
  finished: boolean;
  nameZh: string;
  nameEn: string;
  constructionBudgetYuan: number;
  projects: DemoProject[];
}

export const DEMO_ROUNDS: DemoRound[] = [
  {
    year: 2025,
    finished: true,
    nameZh: '2025年度社区微更新项目评审',
    nameEn: '2025 community micro-renewal grants',
    constructionBudgetYuan: 300_000,
    projects: [
      {
        title: '口袋公园改造：把闲置角落变成邻里客厅',
        summary: '将小区东侧闲置空地改造为带座椅、遮阳和绿植的口袋公园，居民共同设计、共同维护。',
        applicant: 0,
        budget: [
          ['座椅与遮阳棚', 42_000],
          ['绿化种植', 28_000],
          ['铺装与照明', 40_000],
        ],
        outcome: 'CLOSED',
        tierKey: 'first',
        constructionYuan: 80_000,
        scores: [9, 9, 8, 8],
      },
      {
        title: '无障碍坡道与楼道扶手',
        summary: '为老旧楼栋入口加装无障碍坡道，在楼道加装扶手，方便长者和轮椅出行。',
        applicant: 1,
        budget: [
          ['坡道土建', 38_000],
          ['不锈钢扶手', 22_000],
        ],
        outcome: 'CLOSED',
        tierKey: 'second',
        constructionYuan: 50_000,
        scores: [9, 7, 7, 9],
      },
      {
        title: '屋顶共享菜园',
        summary: '在社区活动中心屋顶建设共享菜园，由居民小组认领种植，收成用于长者饭堂。',
        applicant: 2,
        budget: [
          ['防水与种植箱', 45_000],
          ['灌溉系统', 18_000],
          ['工具房', 9_000],
        ],
        outcome: 'EVALUATED',
        tierKey: 'second',
        constructionYuan: 60_000,
        scores: [8, 8, 9, 7],
      },
      {
        title: '儿童游乐角翻新',
        summary: '更换老化的游乐设施，铺设安全地垫，增加家长休息座椅。',
        applicant: 3,
        budget: [
          ['游乐设施', 30_000],
          ['安全地垫', 12_000],
        ],
        outcome: 'RECTIFICATION',
        tierKey: 'third',
        constructionYuan: 40_000,
        scores: [8, 7, 7, 8],
      },
      {
        title: '长者休憩长廊',
        summary: '沿社区主路建设带顶棚的休憩长廊，设置座椅和健康宣传栏。',
        applicant: 4,
        budget: [
          ['钢结构长廊', 48_000],
          ['座椅与宣传栏', 9_000],
        ],
        outcome: 'IN_PROGRESS',
        tierKey: 'third',
        constructionYuan: 50_000,
        scores: [7, 7, 8, 8],
      },
      {
        title: '社区历史文化墙',
        summary: '征集老照片与居民口述，绘制反映社区变迁的文化墙。',
        applicant: 5,
        budget: [
          ['墙面绘制', 25_000],
          ['资料征集', 5_000],
        ],
        outcome: 'SHORTLISTED',
        scores: [6, 8, 7, 7],
      },
      {
        title: '智能快递柜进小区',
        summary: '在小区门口加装智能快递柜。',
        applicant: 1,
        budget: [['快递柜', 60_000]],
        outcome: 'DECLINED',
        scores: [4, 5, 3, 6],
      },
      {
        title: '停车位划线与收费道闸',
        summary: '重新划设停车位并安装收费道闸。',
        applicant: 2,
        budget: [
          ['划线', 8_000],
          ['道闸', 35_000],
        ],
        outcome: 'DECLINED',
        scores: [5, 4, 3, 5],
      },
      {
        title: '楼顶光伏示范',
        summary: '在两栋住宅楼顶安装光伏板，发电用于公共照明。',
        applicant: 0,
        budget: [['光伏板与逆变器', 120_000]],
        outcome: 'DECLINED',
        scores: [5, 6, 4, 3],
      },
    ],
  },
  {
    year: 2026,
    finished: false,
    nameZh: '2026年度社区微更新项目评审',
    nameEn: '2026 community micro-renewal grants',
    constructionBudgetYuan: 300_000,
    projects: [
      {
        title: '社区图书角与共享书屋',
        summary: '利用架空层建设开放式图书角，居民捐书、志愿者管理，周末开展亲子阅读。',
        applicant: 0,
        budget: [
          ['书架与桌椅', 35_000],
          ['照明与装修', 30_000],
          ['首批图书', 10_000],
        ],
        outcome: 'AWARDED',
        tierKey: 'first',
        constructionYuan: 70_000,
        scores: [9, 8, 9, 8],
      },
      {
        title: '雨水花园与透水铺装',
        summary: '把易积水的中心广场改造为雨水花园，更换透水铺装，雨季不再积水。',
        applicant: 3,
        budget: [
          ['透水铺装', 40_000],
          ['雨水花园种植', 18_000],
        ],
        outcome: 'STARTED',
        tierKey: 'second',
        constructionYuan: 50_000,
        scores: [8, 9, 7, 8],
      },
      {
        title: '宠物友好角',
        summary: '设置宠物便便箱、饮水点和围栏活动区，减少邻里矛盾。',
        applicant: 4,
        budget: [
          ['围栏与地面', 32_000],
          ['便便箱与饮水点', 16_000],
        ],
        outcome: 'PROPOSED',
        tierKey: 'second',
        constructionYuan: 45_000,
        scores: [7, 8, 8, 8],
      },
      {
        title: '青少年篮球场翻新',
        summary: '修补球场地面，更换篮架和夜间照明。',
        applicant: 5,
        budget: [
          ['地面修补', 30_000],
          ['篮架与照明', 25_000],
        ],
        outcome: 'SHORTLISTED',
        scores: [7, 7, 8, 7],
      },
      {
        title: '小区大门外立面美化',
        summary: '重新粉刷小区大门及外墙。',
        applicant: 1,
        budget: [['外墙涂料', 50_000]],
        outcome: 'DECLINED',
        scores: [4, 4, 3, 6],
      },
      {
        title: '垃圾分类驿站升级',
        summary: '升级垃圾分类投放点，增加洗手池、除臭和积分兑换机。',
        applicant: 2,
        budget: [
          ['投放亭改造', 36_000],
          ['积分兑换机', 12_000],
        ],
        outcome: 'UNDER_REVIEW',
      },
      {
        title: '长者助浴点',
        summary: '在社区养老服务站建设助浴间，为失能长者提供上门助浴之外的选择。',
        applicant: 0,
        budget: [
          ['助浴间改造', 55_000],
          ['助浴设备', 20_000],
        ],
        outcome: 'SUBMITTED',
      },
      {
        title: '夜跑步道照明',
        summary: '为环湖步道加装低位照明（草稿）。',
        applicant: 5,
        budget: [['照明灯具', 28_000]],
        outcome: 'DRAFT',
      },
    ],
  },
];
