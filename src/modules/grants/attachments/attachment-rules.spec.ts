import {
  canReadAttachments,
  checkAddAttachment,
  contentDisposition,
  type OwnerFacts,
  sanitizeFileName,
  sniffAttachment,
} from './attachment-rules';

const PDF = Buffer.from('%PDF-1.7\n...\n%%EOF\n');

describe('sniffAttachment', () => {
  it('knows a PDF by its header and end marker, images by their magic bytes', () => {
    expect(sniffAttachment(PDF)).toBe('application/pdf');
    expect(sniffAttachment(Buffer.from('%PDF-1.7 cut short'))).toBeNull();
    expect(sniffAttachment(Buffer.from([0xff, 0xd8, 0xff, 0xe0]))).toBe('image/jpeg');
    expect(sniffAttachment(Buffer.from('MZ\x90\x00'))).toBeNull();
    expect(sniffAttachment(Buffer.from('<svg></svg>'))).toBeNull();
  });
});

describe('sanitizeFileName', () => {
  it.each([
    ['../../etc/passwd.pdf', 'passwd.pdf'],
    ['C:\\Users\\me\\scan.pdf', 'scan.pdf'],
    ['a\u0007b\u202ec.pdf', 'abc.pdf'],
    ['.hidden.pdf', 'hidden.pdf'],
    ['what?.pdf', 'what_.pdf'],
    ['', 'file.pdf'],
    [null, 'file.pdf'],
    ['invoice.exe', 'invoice.exe.pdf'],
    ['发票.PDF', '发票.PDF'],
  ])('%j → %j', (raw, expected) => {
    expect(sanitizeFileName(raw, 'application/pdf')).toBe(expected);
  });

  it('keeps a JPEG named .jpeg and cuts long names to 200 characters, extension kept', () => {
    expect(sanitizeFileName('photo.jpeg', 'image/jpeg')).toBe('photo.jpeg');
    const long = sanitizeFileName(`${'x'.repeat(500)}.png`, 'image/png');
    expect(long).toHaveLength(200);
    expect(long.endsWith('.png')).toBe(true);
  });
});

describe('contentDisposition', () => {
  it('gives an ASCII fallback and the UTF-8 name (RFC 5987)', () => {
    expect(contentDisposition('发票 "1".pdf')).toBe(
      `attachment; filename="__ _1_.pdf"; filename*=UTF-8''%E5%8F%91%E7%A5%A8%20%221%22.pdf`,
    );
  });
});

describe('who may add and read', () => {
  const person = (userId: string, roles: string[] = [], fundIds: string[] = []) =>
    ({ userId, roles, fundIds }) as Parameters<typeof canReadAttachments>[0];
  const app: OwnerFacts = {
    ownerType: 'APPLICATION',
    status: 'DRAFT',
    applicantId: 'p',
    reviewerIds: ['r'],
  };
  const expense: OwnerFacts = {
    ownerType: 'EXPENSE',
    status: 'REQUESTED',
    requestedBy: 'l',
    fundId: 'f',
  };

  it('lets the applicant add to a draft only', () => {
    expect(checkAddAttachment(person('p'), app).allowed).toBe(true);
    expect(checkAddAttachment(person('p'), { ...app, status: 'SUBMITTED' })).toMatchObject({
      code: 'ATTACHMENT_LOCKED',
    });
    expect(checkAddAttachment(person('o', ['GRANTS_OFFICER']), app)).toMatchObject({
      code: 'ATTACHMENT_NOT_ALLOWED',
    });
  });

  it('shows an application to assigned reviewers, not to others', () => {
    expect(canReadAttachments(person('r', ['REVIEWER']), app)).toBe(true);
    expect(canReadAttachments(person('x', ['REVIEWER']), app)).toBe(false);
  });

  it("shows an expense to the fund's leaders and staff", () => {
    expect(canReadAttachments(person('x', ['COMMUNITY_LEADER'], ['f']), expense)).toBe(true);
    expect(canReadAttachments(person('x', ['COMMUNITY_LEADER'], ['g']), expense)).toBe(false);
    expect(canReadAttachments(person('x', ['FINANCE']), expense)).toBe(true);
    expect(canReadAttachments(person('x', ['PLANNER']), expense)).toBe(false);
  });
});
