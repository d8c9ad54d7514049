import { EventEmitter } from 'node:events';
import { eventNames, type EventName, type Events } from '../../../shared/contract';

/** The engine's one event source, typed by the contract: hosts never rename or reshape events. */
export class EngineEvents extends EventEmitter<{ [E in EventName]: [Events[E]] }> {}

export type EventSink = <E extends EventName>(name: E, payload: Events[E]) => void;

/**
 * The one bridge every host forwards events through (IPC, the WebSocket, the CLI's view): every
 * contract event, as it is. Returns the function that stops forwarding.
 */
export function forwardEvents(events: EngineEvents, sink: EventSink): () => void {
  const stops = eventNames.map((name) => {
    const listener = (payload: Events[typeof name]) => sink(name, payload);
    events.on(name, listener as never);
    return () => void events.off(name, listener as never);
  });
  return () => stops.forEach((stop) => stop());
}
