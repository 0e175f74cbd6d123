import { pinyin } from 'pinyin-pro';

/** Room left under the 80-character limit for a "-2", "-3"… when the address is taken. */
const BASE_MAX = 72;

/**
 * A campaign's address made from its Chinese title: the title in toneless pinyin, one syllable
 * per hyphen ("社区花园长椅" → "she-qu-hua-yuan-chang-yi"), Latin letters and digits kept, anything
 * else a break; at most 72 characters, cut between syllables. A title with nothing to spell gives
 * "campaign". Pure: uniqueness is the service's to add (-2, -3…).
 */
export function slugFromTitle(title: string): string {
  const syllables = pinyin(title, {
    toneType: 'none',
    type: 'array',
    nonZh: 'consecutive',
    v: true,
  });
  const words = syllables
    .join(' ')
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
  let slug = '';
  for (const word of words) {
    const next = slug ? `${slug}-${word}` : word;
    if (next.length > BASE_MAX) break;
    slug = next;
  }
  if (slug.length === 0) return 'campaign';
  // Three characters at least (the address rule): "an" alone becomes "an-campaign".
  return slug.length < 3 ? `${slug}-campaign` : slug;
}

/** The n-th candidate for a base address: the base itself, then base-2, base-3… */
export function slugCandidate(base: string, n: number): string {
  return n <= 1 ? base : `${base}-${n}`;
}
