import { SlidingWindowCounter } from './sliding-window';

describe('SlidingWindowCounter', () => {
  it('counts hits inside the window only', () => {
    let now = 0;
    const counter = new SlidingWindowCounter(1000, () => now);
    expect(counter.hit('a')).toBe(1);
    now = 500;
    expect(counter.hit('a')).toBe(2);
    expect(counter.hit('b')).toBe(1);
    now = 1200;
    expect(counter.count('a')).toBe(1);
    counter.reset('a');
    expect(counter.count('a')).toBe(0);
  });
});
