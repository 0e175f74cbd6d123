/**
 * Pure computing libraries loaded by Node itself instead of inside Jest's sandbox. Code in the
 * sandbox reaches every global (`Math`, …) through the sandbox's interceptor: pngjs's pixel loops
 * (each QR code's PNG: the evaluation codes sheet, every receipt's PDF) run 20 times slower there
 * than in the app (about 350 ms a code instead of 16). Loaded by Node, a library is also loaded
 * once per Jest worker instead of once per test file (pdfkit with fontkit, and pinyin-pro, build
 * tables when loaded: about 150 ms of every file that starts the app). The same library, the same
 * calls and answers: only where it is compiled changes. Each entry keeps no state between calls
 * that a test could see, and hands back plain values, Buffers and streams; fontkit is here because
 * pdfkit (here) takes the receipts' fonts parsed by it.
 */
const NATIVE = ['pngjs', 'qrcode', 'pdfkit', 'fontkit', 'pinyin-pro'];

const nodeRequire = (globalThis as { __nodeRequire?: NodeJS.Require }).__nodeRequire;
if (!nodeRequire) throw new Error('test/setup/environment.ts is not the test environment');
delete (globalThis as { __nodeRequire?: NodeJS.Require }).__nodeRequire;
for (const name of NATIVE) jest.mock(name, () => nodeRequire(name) as unknown);
