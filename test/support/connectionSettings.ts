import { connectionInputSchema, type ConnectionInput, type ConnectionSettings } from '../../src/shared/connection';

/** A connection as the contract hands it to the engine: parsed, defaults filled in. */
export function connectionSettings(input: ConnectionInput): ConnectionSettings {
  return connectionInputSchema.parse(input);
}
