/**
 * Attachments of grant applications, reports and expenses: what a file may be (by its content),
 * how its name is cleaned, and who may add or read one per owner. Pure: no Nest, no I/O.
 */
import { words, type Words } from '../../../common/i18n/i18n';
import type { Role } from '../../../common/auth/roles';
import { sniffImage } from '../../campaigns/cover-image';

export const ATTACHMENT_OWNER_TYPES = ['APPLICATION', 'REPORT', 'EXPENSE'] as const;
export type AttachmentOwnerType = (typeof ATTACHMENT_OWNER_TYPES)[number];

export interface AttachmentOwner {
  ownerType: AttachmentOwnerType;
  ownerId: string;
}

export const ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024;
export const ATTACHMENT_MAX_PER_OWNER = 20;
export const ATTACHMENT_NAME_MAX = 200;
/** Pixels an image may declare (checked from its header before decoding): 50 MP, any phone photo. */
export const ATTACHMENT_MAX_PIXELS = 50_000_000;

export const ATTACHMENT_TYPES = {
  'application/pdf': 'pdf',
  'image/jpeg': 'jpg',
  'image/png': 'png',
  'image/webp': 'webp',
} as const;
export type AttachmentContentType = keyof typeof ATTACHMENT_TYPES;

export const NOT_AN_ATTACHMENT = words('errors.grants.notAnAttachment');

const PDF_HEAD = Buffer.from('%PDF-');
const PDF_TAIL = Buffer.from('%%EOF');
/** How far from the end `%%EOF` may be (trailing whitespace, a few bytes of junk some tools add). */
const PDF_TAIL_WINDOW = 1024;

/** The file's type judged by its bytes: a PDF with its header and end marker, or an image. */
export function sniffAttachment(data: Uint8Array): AttachmentContentType | null {
  const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (buf.subarray(0, PDF_HEAD.length).equals(PDF_HEAD)) {
    const tail = buf.subarray(Math.max(PDF_HEAD.length, buf.length - PDF_TAIL_WINDOW));
    return tail.includes(PDF_TAIL) ? 'application/pdf' : null;
  }
  const image = sniffImage(data);
  if (image === 'png') return 'image/png';
  if (image === 'jpeg') return 'image/jpeg';
  if (image === 'webp') return 'image/webp';
  return null;
}

// C0 and C1 controls, DEL, and the bidi overrides that make "gpj.exe" read as "exe.jpg".
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
const RESERVED = /["*:<>?|]/g;

/**
 * A file name safe to store and to send back: no directories (only what follows the last / or \),
 * no control or bidi characters, no leading dots, at most 200 characters, and ending in the
 * extension of the type the content really has (`invoice.exe` holding a PDF becomes
 * `invoice.exe.pdf`).
 */
export function sanitizeFileName(
  raw: string | null | undefined,
  type: AttachmentContentType,
): string {
  const ext = ATTACHMENT_TYPES[type];
  let name = (raw ?? '').normalize('NFC').replace(UNSAFE, '');
  name = name.split(/[/\\]/).pop() ?? '';
  name = name.replace(RESERVED, '_').trim().replace(/^\.+/, '').trim();
  if (!name) name = 'file';
  const lower = name.toLowerCase();
  const matches = lower.endsWith(`.${ext}`) || (ext === 'jpg' && lower.endsWith('.jpeg'));
  const suffix = matches ? '' : `.${ext}`;
  const room = ATTACHMENT_NAME_MAX - suffix.length;
  if (name.length > room) {
    const dot = matches ? name.lastIndexOf('.') : -1;
    const keep = dot > 0 ? name.slice(dot) : '';
    name =
      Array.from(name.slice(0, dot > 0 ? dot : name.length))
        .join('')
        .slice(0, room - keep.length)
        .trimEnd() + keep;
  }
  return name + suffix;
}

/** RFC 6266 / 5987 Content-Disposition for a download: an ASCII fallback and the UTF-8 name. */
export function contentDisposition(fileName: string): string {
  const ascii = fileName.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  const encoded = encodeURIComponent(fileName).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

/** What the owner row says about who may touch its files. */
export type OwnerFacts =
  | { ownerType: 'APPLICATION'; status: string; applicantId: string; reviewerIds: string[] }
  | { ownerType: 'REPORT'; status: string; submittedBy: string; granteeId: string }
  | { ownerType: 'EXPENSE'; status: string; requestedBy: string; fundId: string };

export interface AttachmentPerson {
  userId: string;
  roles: readonly Role[];
  fundIds: readonly string[];
}

const has = (p: AttachmentPerson, ...roles: Role[]) => roles.some((r) => p.roles.includes(r));

/** Whether `person` may see (list, download) the owner's files. */
export function canReadAttachments(person: AttachmentPerson, owner: OwnerFacts): boolean {
  switch (owner.ownerType) {
    case 'APPLICATION':
      return (
        owner.applicantId === person.userId ||
        has(person, 'ADMIN', 'GRANTS_OFFICER', 'FINANCE') ||
        owner.reviewerIds.includes(person.userId)
      );
    case 'REPORT':
      return (
        owner.granteeId === person.userId ||
        owner.submittedBy === person.userId ||
        has(person, 'ADMIN', 'GRANTS_OFFICER', 'FINANCE')
      );
    case 'EXPENSE':
      return (
        owner.requestedBy === person.userId ||
        has(person, 'ADMIN', 'GRANTS_OFFICER', 'FINANCE') ||
        (has(person, 'COMMUNITY_LEADER') && person.fundIds.includes(owner.fundId))
      );
  }
}

export type AddVerdict =
  | { allowed: true }
  | { allowed: false; code: 'ATTACHMENT_NOT_ALLOWED' | 'ATTACHMENT_LOCKED'; words: Words };

/**
 * Whether `person` may add a file: the applicant to a DRAFT application, the submitter to a
 * SUBMITTED report, the requester to a REQUESTED expense. After that the files are evidence and
 * stay as they are.
 */
export function checkAddAttachment(person: AttachmentPerson, owner: OwnerFacts): AddVerdict {
  const [who, open, kind] =
    owner.ownerType === 'APPLICATION'
      ? [owner.applicantId, owner.status === 'DRAFT', 'application']
      : owner.ownerType === 'REPORT'
        ? [owner.submittedBy, owner.status === 'SUBMITTED', 'report']
        : [owner.requestedBy, owner.status === 'REQUESTED', 'expense'];
  if (who !== person.userId) {
    return {
      allowed: false,
      code: 'ATTACHMENT_NOT_ALLOWED',
      words: words(`errors.grants.attach.notAuthor.${kind}`),
    };
  }
  if (!open) {
    return {
      allowed: false,
      code: 'ATTACHMENT_LOCKED',
      words: words(`errors.grants.attach.locked.${kind}`),
    };
  }
  return { allowed: true };
}
