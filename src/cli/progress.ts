/** A one-line progress bar for long CLI runs; silent when output is not a terminal. */
export function progress(out: NodeJS.WritableStream, label: string, total: number) {
  const tty = (out as NodeJS.WriteStream).isTTY === true;
  let done = 0;
  return {
    tick(): void {
      done += 1;
      if (!tty) return;
      const width = 30;
      const filled = Math.round((done / total) * width);
      out.write(
        `\r${label.padEnd(16)} [${'#'.repeat(filled)}${' '.repeat(width - filled)}] ${done}/${total}`,
      );
      if (done === total) out.write('\n');
    },
  };
}
