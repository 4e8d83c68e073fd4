import type { Clock } from '../clock.js';
import type { Transport } from '../connection/transport.js';

/**
 * What a test network (`gsocketclient/testing`) puts under a client: the clock every timer of
 * its operations uses and the transport its TCP sockets come from.
 */
export interface ClientNetwork {
  readonly clock: Clock;
  readonly transport: Transport;
}
