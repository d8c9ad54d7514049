import { describe, expect, it } from 'vitest';
import { Semaphore } from '../src/main/core/util/semaphore';

/** The budget of requests in flight, which the author may change while uploads run. */
describe('the request budget', () => {
  const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

  it('lets waiters in at once when it grows', async () => {
    const budget = new Semaphore(1);
    const first = await budget.acquire();
    let entered = 0;
    const waiting = [budget.acquire().then(() => (entered += 1)), budget.acquire().then(() => (entered += 1))];
    await settle();
    expect(entered).toBe(0);
    budget.resize(3);
    await Promise.all(waiting);
    expect(entered).toBe(2);
    first();
  });

  it('keeps holders when it shrinks, and lets nobody in until they are under the new limit', async () => {
    const budget = new Semaphore(3);
    const held = [await budget.acquire(), await budget.acquire(), await budget.acquire()];
    budget.resize(1);
    let entered = false;
    const waiter = budget.acquire().then((release) => {
      entered = true;
      return release;
    });
    held[0]!();
    held[1]!();
    await settle();
    expect(entered).toBe(false); // one still held: the limit of 1 is reached
    held[2]!();
    (await waiter)();
    expect(entered).toBe(true);
    // Back to exactly one slot: a second holder must wait.
    const only = await budget.acquire();
    let second = false;
    void budget.acquire().then(() => (second = true));
    await settle();
    expect(second).toBe(false);
    only();
    await settle();
    expect(second).toBe(true);
  });
});
