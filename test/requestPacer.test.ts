import { describe, expect, it, vi } from 'vitest';
import { DECREASE, MIN_RATE, RequestPacer, WINDOW_MS } from '../src/main/core/s3/requestPacer';

/** A clock the test moves by hand, so pacing is checked by arithmetic rather than by timing. */
function manualClock() {
  let now = 0;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe('request pacer', () => {
  it('cuts once for a burst of SlowDowns to requests that were in flight together', () => {
    const clock = manualClock();
    const pacer = new RequestPacer(300, clock.now);
    // Sixteen requests let go over 50 ms, all answered SlowDown a little later, one by one.
    const tickets = Array.from({ length: 16 }, (_, i) => i * 3);
    clock.advance(80);
    for (const ticket of tickets) {
      pacer.slowDown(ticket);
      clock.advance(5);
    }
    // One cut; the 80 ms since it have won back 30 × 0.08 requests/s.
    expect(pacer.rate).toBeCloseTo(300 * DECREASE + 30 * 0.08, 6);
  });

  it('cuts again for a request let go a window after the cut, not for one let go within it', () => {
    const clock = manualClock();
    const pacer = new RequestPacer(300, clock.now);
    pacer.slowDown(clock.now());
    const cutAt = clock.now();
    const afterFirst = pacer.rate;
    expect(afterFirst).toBe(300 * DECREASE);
    // Sent after the cut but inside its window: the server's count still holds the old rate.
    clock.advance(WINDOW_MS / 2);
    const tooSoon = clock.now();
    clock.advance(100);
    const before = pacer.rate;
    pacer.slowDown(tooSoon);
    expect(pacer.rate).toBe(before);
    // Sent a whole window after the cut: this answer is about the new rate.
    clock.advance(WINDOW_MS);
    const late = cutAt + WINDOW_MS + 10;
    const beforeSecond = pacer.rate;
    pacer.slowDown(late);
    expect(pacer.rate).toBeCloseTo(beforeSecond * DECREASE, 6);
  });

  it('cuts to the share the server accepted when it refused most requests of the window', async () => {
    const clock = manualClock();
    const pacer = new RequestPacer(300, clock.now);
    pacer.slowDown(clock.now());
    // A hundred requests let go inside the window after the cut, eighty of them refused (no cut
    // yet: they may still speak of the old rate)...
    clock.advance(WINDOW_MS / 2);
    const tickets = await Promise.all(Array.from({ length: 100 }, () => pacer.take()));
    for (const ticket of tickets.slice(0, 80)) pacer.slowDown(ticket);
    clock.advance(WINDOW_MS);
    const before = pacer.rate;
    expect(before).toBeGreaterThan(300 * DECREASE);
    // ...then one let go after it, refused too: 81 of 101 refused, the rate drops to the share accepted.
    pacer.slowDown(await pacer.take());
    expect(pacer.rate).toBeCloseTo(before * (20 / 101), 6);
  });

  it('climbs back steadily, a tenth of the configured rate per second, even while old requests still answer SlowDown', () => {
    const clock = manualClock();
    const pacer = new RequestPacer(300, clock.now);
    for (let i = 0; i < 5; i += 1) {
      pacer.slowDown(clock.now());
      clock.advance(WINDOW_MS);
    }
    const low = pacer.rate;
    const cutAt = clock.now();
    const steps: number[] = [];
    for (let second = 0; second < 3; second += 1) {
      const before = pacer.rate;
      clock.advance(500);
      // Answers to requests sent before the last cut change nothing.
      pacer.slowDown(cutAt - 1);
      clock.advance(500);
      steps.push(pacer.rate - before);
    }
    for (const step of steps) expect(step).toBeCloseTo(30, 6);
    expect(pacer.rate).toBeCloseTo(low + 90, 6);
    clock.advance(60_000);
    expect(pacer.rate).toBe(300);
  });

  it('never drops below its floor, however many SlowDowns come', () => {
    const clock = manualClock();
    const pacer = new RequestPacer(300, clock.now);
    for (let i = 0; i < 200; i += 1) {
      pacer.slowDown(clock.now());
      clock.advance(WINDOW_MS);
      // Sampled right after a cut, before the next second of climbing.
      pacer.slowDown(clock.now());
      expect(pacer.rate).toBeGreaterThanOrEqual(MIN_RATE);
    }
  });

  it('settles just under a provider limit, and keeps going in a storm that does not depend on the rate', async () => {
    // A provider allowing 100 requests per second (a token bucket holding a second's worth).
    let tokens = 100;
    let last = 0;
    const limited = await simulate(300, (now) => {
      tokens = Math.min(100, tokens + ((now - last) / 1000) * 100);
      last = now;
      if (tokens < 1) return true;
      tokens -= 1;
      return false;
    });
    expect(limited.averageRate).toBeGreaterThan(80);
    expect(limited.averageRate).toBeLessThan(110);
    expect(limited.slowDownShare).toBeLessThan(0.1);
    // A storm: 30% of all requests refused at random, however slowly they come.
    let seed = 7;
    const storm = await simulate(300, () => (seed = (seed * 16807) % 2147483647) / 2147483647 < 0.3);
    expect(storm.slowDownShare).toBeGreaterThan(0.25);
    expect(storm.averageRate).toBeGreaterThan(75);
  });

  it('gives every request the moment it was let go, and spaces requests beyond its burst at the configured rate', async () => {
    const pacer = new RequestPacer(50);
    const started = performance.now();
    // 50 tokens are there at once; 25 more need half a second at 50/s.
    const tickets = await Promise.all(Array.from({ length: 75 }, () => pacer.take()));
    const elapsed = performance.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(450);
    expect(tickets[0]).toBeGreaterThanOrEqual(started);
    expect(tickets[74]! - tickets[0]!).toBeGreaterThanOrEqual(450);
  });
});

/**
 * Half a minute (measured after the first ten seconds, once the start's burst is over) of a sender that always has another request ready (a long queue of small files),
 * through the pacer on a clock moved by hand (timers faked along with it); each request is
 * answered 50 ms after it was let go, refused when `refuses` says so at that moment.
 */
async function simulate(configured: number, refuses: (now: number) => boolean): Promise<{ averageRate: number; slowDownShare: number }> {
  vi.useFakeTimers();
  try {
    const clock = manualClock();
    const pacer = new RequestPacer(configured, clock.now);
    const answers: { at: number; ticket: number; slowDown: boolean }[] = [];
    let sent = 0;
    let slowDowns = 0;
    let measuring = false;
    let running = true;
    let stopped = false;
    const sender = (async () => {
      while (running) {
        const ticket = await pacer.take();
        if (measuring) sent += 1;
        answers.push({ at: clock.now() + 50, ticket, slowDown: refuses(clock.now()) });
      }
      stopped = true;
    })();
    const seconds = 30;
    for (let ms = -10_000; ms < seconds * 1000; ms += 10) {
      measuring = ms >= 0;
      clock.advance(10);
      await vi.advanceTimersByTimeAsync(10);
      while (answers.length > 0 && answers[0]!.at <= clock.now()) {
        const answer = answers.shift()!;
        if (!answer.slowDown) continue;
        if (measuring) slowDowns += 1;
        pacer.slowDown(answer.ticket);
      }
    }
    running = false;
    while (!stopped) {
      clock.advance(10);
      await vi.advanceTimersByTimeAsync(10);
    }
    await sender;
    return { averageRate: sent / seconds, slowDownShare: slowDowns / sent };
  } finally {
    vi.useRealTimers();
  }
}
