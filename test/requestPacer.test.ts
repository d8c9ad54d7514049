import { describe, expect, it } from 'vitest';
import { RequestPacer } from '../src/main/core/s3/requestPacer';

/** A clock the test moves by hand, so pacing is checked by arithmetic rather than by timing. */
function manualClock() {
  let now = 0;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe('request pacer', () => {
  it('halves its rate on SlowDown and wins it back in quiet seconds', () => {
    const clock = manualClock();
    const pacer = new RequestPacer(300, clock.now);
    expect(pacer.rate).toBe(300);
    pacer.slowDown();
    expect(pacer.rate).toBe(150);
    // A burst of parts failing together counts as one SlowDown.
    clock.advance(50);
    pacer.slowDown();
    expect(pacer.rate).toBe(150);
    clock.advance(250);
    pacer.slowDown();
    expect(pacer.rate).toBe(75);
    // After a quiet second it climbs by a tenth of the configured rate per second.
    clock.advance(1000);
    const afterOne = pacer.rate;
    clock.advance(5000);
    expect(pacer.rate).toBeGreaterThan(afterOne);
    clock.advance(60_000);
    expect(pacer.rate).toBe(300);
  });

  it('never drops below its floor, however many SlowDowns come', () => {
    const clock = manualClock();
    const pacer = new RequestPacer(300, clock.now);
    for (let i = 0; i < 50; i += 1) {
      pacer.slowDown();
      clock.advance(201);
    }
    expect(pacer.rate).toBeGreaterThanOrEqual(2);
  });

  it('spaces requests beyond its burst at the configured rate', async () => {
    const pacer = new RequestPacer(50);
    const started = performance.now();
    // 50 tokens are there at once; 25 more need half a second at 50/s.
    await Promise.all(Array.from({ length: 75 }, () => pacer.take()));
    const elapsed = performance.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(450);
  });
});
