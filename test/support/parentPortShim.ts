import { EventEmitter } from 'node:events';
import { isMainThread } from 'node:worker_threads';

/**
 * Loaded with --import into a forked Node child, before the image worker: the child then looks to
 * the worker like an Electron utility process — a `process.parentPort` that delivers
 * `{ data }` events and queues messages until someone listens, and no `process.send`. A worker
 * that still used Node's IPC would find no way to its pool and refuse to run.
 */

// Worker threads inherit --import (sharp's WebAssembly build runs libvips' threads as workers): they are left alone.
if (isMainThread) installParentPort();

function installParentPort(): void {
  const send = process.send?.bind(process);
  if (!send) throw new Error('parentPortShim: load me in a forked child');

  const port = new EventEmitter() as EventEmitter & { postMessage(message: unknown): void };
  port.postMessage = (message) => void send(message);
  const queued: unknown[] = [];
  process.on('message', (data) => {
    // In order: nothing overtakes a message still queued.
    if (port.listenerCount('message') > 0 && queued.length === 0) port.emit('message', { data });
    else queued.push(data);
  });
  port.on('newListener', (event) => {
    if (event !== 'message') return;
    // Delivered once the listener is in place (newListener fires just before it is added).
    setImmediate(() => {
      for (const data of queued.splice(0)) port.emit('message', { data });
    });
  });
  Object.defineProperty(process, 'parentPort', { value: port });
  process.send = undefined;
  // Electron ends a utility process when the app goes: here, when the test's process goes.
  process.on('disconnect', () => process.exit(0));
}
