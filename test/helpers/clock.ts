import type { Clock } from '../../src/util/clock.js';

/**
 * A clock whose sleep() returns on the next tick and moves time forward by the amount asked, so
 * backoff and pacing run instantly but in the right order. `sleeps` records every wait.
 */
export function fakeClock(start = Date.parse('2026-11-28T10:00:00Z')): Clock & { sleeps: number[]; advance(ms: number): void; set(ms: number): void } {
  let t = start;
  const sleeps: number[] = [];
  return {
    now: () => t,
    sleeps,
    advance(ms) {
      t += ms;
    },
    set(ms) {
      t = ms;
    },
    sleep(ms) {
      sleeps.push(ms);
      t += ms;
      return new Promise((resolve) => setImmediate(resolve));
    },
  };
}
