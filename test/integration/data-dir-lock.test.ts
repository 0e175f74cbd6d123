import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DataDirLock, lockAddress } from '../../src/database/data-dir-lock';
import { DataFolderInUseError, inUseMessage } from '../../src/database/embedded-postgres';

/** The lock itself, in one process (the whole servers are in embedded-lock.test.ts). */
describe('DataDirLock', () => {
  const folder = mkdtempSync(path.join(os.tmpdir(), 'lianxin-lockdir-'));
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  it('is held once; others learn who holds it and where its database is; release frees it', async () => {
    const first = await DataDirLock.acquire(folder, 'cli seed-demo');
    if (!('lock' in first)) throw new Error('expected the lock');
    const second = await DataDirLock.acquire(folder, 'server');
    expect(second).toEqual({
      heldBy: {
        pid: process.pid,
        role: 'cli seed-demo',
        since: expect.any(String),
        database: null,
      },
    });
    first.lock.serving({ host: '/tmp/x', port: 5432 });
    expect(await DataDirLock.acquire(folder, 'server')).toMatchObject({
      heldBy: { database: { host: '/tmp/x', port: 5432 } },
    });
    // The same folder by another path (a symlink) is the same lock.
    const link = `${folder}-link`;
    await import('node:fs/promises').then((fs) => fs.symlink(folder, link));
    try {
      expect(await DataDirLock.acquire(link, 'server')).toHaveProperty('heldBy');
    } finally {
      rmSync(link);
    }
    await first.lock.release();
    const third = await DataDirLock.acquire(folder, 'server');
    expect(third).toHaveProperty('lock');
    if ('lock' in third) await third.lock.release();
  });

  it('on Linux needs no file, so a killed holder leaves nothing behind', () => {
    expect(lockAddress(folder, 'linux')).toMatch(/^\0lianxin-data-[0-9a-f]{32}$/);
  });

  it('elsewhere takes over the socket file a killed holder left', async () => {
    const address = lockAddress(folder, 'darwin');
    // A holder that is killed before it can remove its socket file.
    const child = spawn(process.execPath, [
      '-e',
      `require('net').createServer().listen(${JSON.stringify(address)}, () => console.log('up'))`,
    ]);
    await new Promise((resolve) => child.stdout.once('data', resolve));
    const held = await DataDirLock.acquire(folder, 'server', { platform: 'darwin' });
    expect(held).toEqual({ heldBy: null, reason: 'unresponsive' }); // it listens but says nothing
    await new Promise((resolve) => {
      child.once('exit', resolve);
      child.kill('SIGKILL');
    });
    expect(existsSync(address)).toBe(true);
    const taken = await DataDirLock.acquire(folder, 'server', { platform: 'darwin' });
    expect(taken).toHaveProperty('lock');
    if ('lock' in taken) await taken.lock.release();
  });

  it.each([
    [
      'server',
      { pid: 7, role: 'server', since: 'S', database: { host: '/h', port: 5432 } },
      'is already open in a running Lianxin server (pid 7, since S). Only one process may open it at a time. Stop that server first, or set DATA_DIR to another folder.',
    ],
    [
      'server',
      { pid: 7, role: 'cli import-offline', since: 'S', database: null },
      'is already open by the command `npm run cli -- import-offline` (pid 7, since S). Only one process may open it at a time. Wait for it to finish, then start the server again.',
    ],
    [
      'cli',
      { pid: 7, role: 'cli seed-demo', since: 'S', database: null },
      'Wait for it to finish, then run this command again.',
    ],
    ['cli', null, 'in a process that does not answer (stopped or hanging)'],
  ] as const)('tells a %s who holds the folder: %j', (kind, heldBy, text) => {
    const attempt = heldBy ? { heldBy } : { heldBy: null, reason: 'unresponsive' as const };
    const message = inUseMessage('/d/pgdata', { kind }, attempt);
    expect(message).toContain('The embedded database /d/pgdata ');
    expect(message).toContain(text);
    expect(new DataFolderInUseError(message).stack).toBe(`DataFolderInUseError: ${message}`);
  });
});
