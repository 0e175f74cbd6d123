import { backoffDelay, RetriesExhaustedError, type RetryPolicy, withRetries } from './retry';

const policy: RetryPolicy = { attempts: 4, baseDelayMs: 100, maxDelayMs: 500 };

describe('backoffDelay', () => {
  it.each([
    // retry, dice, expected: full jitter under a doubling ceiling, capped
    [0, 0.999, 99],
    [1, 0.999, 199],
    [2, 0.999, 399],
    [3, 0.999, 499],
    [10, 0.999, 499],
    [0, 0, 0],
    [2, 0.5, 200],
  ])('retry %i with dice %f waits %i ms', (retry, dice, expected) => {
    expect(backoffDelay(retry, policy, () => dice)).toBe(expected);
  });

  it('waits at least what the server asked, but never past the cap', () => {
    expect(backoffDelay(0, policy, () => 0, 300)).toBe(300);
    expect(backoffDelay(0, policy, () => 0, 60_000)).toBe(500);
  });
});

describe('withRetries', () => {
  const busy = new Error('429');
  const fatal = new Error('400');
  const options = (sleeps: number[]) => ({
    policy,
    retryable: (error: unknown) => error === busy,
    sleep: (ms: number) => {
      sleeps.push(ms);
      return Promise.resolve();
    },
    random: () => 0.5,
  });

  it('retries retryable failures, then returns the first success', async () => {
    const sleeps: number[] = [];
    let calls = 0;
    const result = await withRetries(() => {
      calls++;
      return calls < 3 ? Promise.reject(busy) : Promise.resolve('ok');
    }, options(sleeps));
    expect(result).toBe('ok');
    expect(calls).toBe(3);
    expect(sleeps).toEqual([50, 100]);
  });

  it('stops after the bounded number of attempts', async () => {
    const sleeps: number[] = [];
    let calls = 0;
    const failing = withRetries(() => {
      calls++;
      return Promise.reject(busy);
    }, options(sleeps));
    await expect(failing).rejects.toBeInstanceOf(RetriesExhaustedError);
    await expect(failing).rejects.toMatchObject({ lastError: busy, attempts: 4 });
    expect(calls).toBe(4);
    expect(sleeps).toEqual([50, 100, 200]);
  });

  it('throws anything else at once, untouched', async () => {
    let calls = 0;
    await expect(
      withRetries(() => {
        calls++;
        return Promise.reject(fatal);
      }, options([])),
    ).rejects.toBe(fatal);
    expect(calls).toBe(1);
  });
});
