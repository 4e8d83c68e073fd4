import type { ConnectionHandler } from './virtual-network.js';

/** A server that sends back every byte it receives, and ends when the client ends. */
export const echoServer: ConnectionHandler = (socket) => {
  socket.pipe(socket);
};

/** A server that accepts and then never says anything (nor reads): a stalled peer. */
export const silentServer: ConnectionHandler = () => undefined;

/** A server that writes `greeting` once accepted, then echoes. */
export function greetingServer(greeting: string | Uint8Array): ConnectionHandler {
  return (socket) => {
    socket.write(greeting);
    socket.pipe(socket);
  };
}
