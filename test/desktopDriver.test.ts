import { describe, expect, it } from 'vitest';
import { QueueDriver } from '../src/main/desktop/queueDriver';
import { openScriptedWorld } from './support/scriptedWorld';
import { waitFor } from './support/waitFor';

const MIB = 1024 * 1024;

/** The system's events as the desktop app turns them into engine calls (a real engine; the Electron binding is the recording port). */
describe('sleep, wake and the network', () => {
  it('keeps the app from being suspended while uploads run, stops at part boundaries on suspend, and goes on after wake without re-sending parts', async ({ onTestFinished }) => {
    // One request at a time: a part is on its way when the system sleeps, the ones before it are recorded.
    const world = await openScriptedWorld(onTestFinished, { partSize: 5 * MIB, requestBudget: 1 });
    const blockers: string[] = [];
    const driver = new QueueDriver(world.engine, {
      preventSuspension: () => {
        blockers.push('start');
        return () => blockers.push('stop');
      },
    });
    world.engine.events.on('queue.state', (state) => driver.queueChanged(state));
    const id = await world.queue('chapter.wav', 16 * MIB);
    const hold = world.bucket.hold('uploadPart');
    driver.drive();
    await hold.reached;
    await waitFor('the blocker', () => blockers.length > 0, 5000, 5);
    expect(blockers).toEqual(['start']);

    // Two parts finish, the third is on its way when the lid closes.
    hold.release();
    await world.until(id, 'two parts recorded', (row) => row.bytesDone >= 10 * MIB);
    const secondHold = world.bucket.hold('uploadPart');
    await secondHold.reached;
    const suspending = driver.suspend();
    secondHold.release();
    await suspending;
    expect(world.engine.started).toBe(false);
    expect(blockers).toEqual(['start', 'stop']);
    const partsBefore = world.bucket.count('uploadPart');
    // Asleep: the take-over timer does not start it again.
    driver.drive();
    expect(world.engine.started).toBe(false);

    await driver.resume();
    expect(world.engine.started).toBe(true);
    await world.until(id, 'the upload to end', (row) => row.status === 'verified');
    // Only the parts not recorded before the sleep were sent after it (at most the one in flight again).
    const sentAfter = world.bucket.count('uploadPart') - partsBefore;
    expect(sentAfter).toBeLessThanOrEqual(2);
    expect(world.bucket.objects.get('audiobooks/chapters/chapter.wav')?.body.length).toBe(16 * MIB);
    await waitFor('the blocker released when idle', () => blockers.length === 4, 5000, 5);
    expect(blockers).toEqual(['start', 'stop', 'start', 'stop']);
    driver.dispose();
  });

  it('probes an offline endpoint at once when the OS says the network is back, not at its next turn', async ({ onTestFinished }) => {
    const world = await openScriptedWorld(onTestFinished);
    const driver = new QueueDriver(world.engine, { preventSuspension: () => () => {} });
    world.bucket.online = false;
    const id = await world.queue('offline.txt', 100);
    driver.drive();
    await world.until(id, 'waiting for the endpoint', (row) => row.status === 'waiting' && row.errorCode === 'endpoint_unreachable');
    // The clock does not move: the next probe is not due on its own.
    const probes = world.bucket.count('probe');
    world.bucket.online = true;
    driver.networkChanged(false);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(world.bucket.count('probe')).toBe(probes);
    driver.networkChanged(true);
    await world.until(id, 'the upload to go on', (row) => row.status === 'verified');
    expect(world.bucket.count('probe')).toBe(probes + 1);
  });
});
