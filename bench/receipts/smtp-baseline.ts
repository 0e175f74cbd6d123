/**
 * The baseline of the receipts bench: bare nodemailer sends of the same PDF to the same SMTP
 * server, as the app's MailTransport sends them (one transporter, a connection per message, the
 * same timeouts), `inFlight` at a time. Run as a child process (like a worker) by run.ts:
 *   node smtp-baseline.js <smtpUrl> <pdfFile> <count> <inFlight> [pool]
 * `pool`: over pooled connections instead (nodemailer's pool, `inFlight` connections), for
 * comparison. Prints one JSON line: {"sent":N,"ms":N}.
 */
import fs from 'node:fs';
import { performance } from 'node:perf_hooks';
import { createTransport } from 'nodemailer';

async function main(): Promise<void> {
  const [url, pdfFile, countText, inFlightText, pool] = process.argv.slice(2);
  const pdf = fs.readFileSync(pdfFile!);
  const count = Number(countText);
  const transporter = createTransport({
    url,
    ...(pool === 'pool' ? { pool: true, maxConnections: Number(inFlightText) } : {}),
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
  });
  let next = 0;
  let sent = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: Number(inFlightText) }, async () => {
      while (next < count) {
        const i = next++;
        await transporter.sendMail({
          from: 'Lianxin <no-reply@lianxin.localhost>',
          to: `baseline-${i}@example.org`,
          subject: '感谢您的捐赠 Thank you for your gift',
          text: '感谢您的捐赠。您的捐赠票据已作为 PDF 附在本邮件中。',
          html: '<p>感谢您的捐赠。您的捐赠票据已作为 PDF 附在本邮件中。</p>',
          attachments: [{ filename: 'receipt.pdf', content: pdf, contentType: 'application/pdf' }],
          headers: { 'X-Lianxin-Template': 'baseline' },
        });
        sent++;
      }
    }),
  );
  const ms = performance.now() - t0;
  transporter.close();
  process.stdout.write(`${JSON.stringify({ sent, ms })}\n`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
