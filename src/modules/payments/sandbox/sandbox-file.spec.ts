import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readOrCreateSandboxFile } from './sandbox-file';

describe('readOrCreateSandboxFile', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(path.join(tmpdir(), 'lx-sandbox-file-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const parse = (text: string) => {
    if (!text.startsWith('ok:')) throw new Error('not ours');
    return text.trim();
  };

  it('makes a missing file once, in a folder it creates, readable by its owner only', () => {
    const file = path.join(dir, 'nested', 'keys.json');
    const create = jest.fn(() => 'ok:first\n');
    expect(readOrCreateSandboxFile(file, create, parse)).toBe('ok:first');
    expect(readOrCreateSandboxFile(file, create, parse)).toBe('ok:first');
    expect(create).toHaveBeenCalledTimes(1);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('reads an existing file without making anything (key pairs are slow to make)', () => {
    const file = path.join(dir, 'keys.json');
    writeFileSync(file, 'ok:kept\n');
    const create = jest.fn(() => 'ok:new\n');
    expect(readOrCreateSandboxFile(file, create, parse)).toBe('ok:kept');
    expect(create).not.toHaveBeenCalled();
  });

  it('keeps the file another process wrote first, and returns its content', () => {
    const file = path.join(dir, 'keys.json');
    const create = () => {
      writeFileSync(file, 'ok:winner\n'); // the other process, between our read and our write
      return 'ok:loser\n';
    };
    expect(readOrCreateSandboxFile(file, create, parse)).toBe('ok:winner');
    expect(readFileSync(file, 'utf8')).toBe('ok:winner\n');
  });

  it('refuses a file that is not what it should be, in the words of its parser', () => {
    const file = path.join(dir, 'keys.json');
    writeFileSync(file, 'something else');
    expect(() => readOrCreateSandboxFile(file, () => 'ok:new', parse)).toThrow('not ours');
  });
});
