/**
 * Pure computing libraries loaded by Node itself instead of inside Jest's sandbox. Code in the
 * sandbox reaches every global (`Math`, …) through the sandbox's interceptor: pngjs's pixel loops
 * (each QR code's PNG: the evaluation codes sheet, every receipt's PDF) run 20 times slower there
 * than in the app (about 350 ms a code instead of 16). The same library, the same calls and
 * answers: only where it is compiled changes. Each entry is a library that keeps no state between
 * calls and hands back only plain values, Buffers and streams.
 */
const NATIVE = ['pngjs', 'qrcode'];

const nodeRequire = (globalThis as { __nodeRequire?: NodeJS.Require }).__nodeRequire;
if (!nodeRequire) throw new Error('test/setup/environment.ts is not the test environment');
delete (globalThis as { __nodeRequire?: NodeJS.Require }).__nodeRequire;
for (const name of NATIVE) jest.mock(name, () => nodeRequire(name) as unknown);
