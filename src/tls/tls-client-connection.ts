// STUB — being written by the TLS helper (issue 5).
import type { Duplex } from 'node:stream';
import type { ConnectionOptions } from 'node:tls';
import type { Cancellable } from '../cancellable.js';
import type { SocketConnectable } from '../address/connectable.js';
import type { IOStream } from '../connection/io-stream.js';
import { TlsCertificateFlags, TlsErrorEnum } from '../errors/enums.js';
import { TlsError } from '../errors/gerror.js';

export class TlsClientConnection implements IOStream {
  readonly baseIOStream: IOStream;
  readonly serverIdentity: SocketConnectable | null;
  validationFlags: TlsCertificateFlags = TlsCertificateFlags.VALIDATE_ALL;
  constructor(base: IOStream, serverIdentity: SocketConnectable | null, _options?: ConnectionOptions) {
    this.baseIOStream = base;
    this.serverIdentity = serverIdentity;
  }
  get stream(): Duplex {
    return this.baseIOStream.stream;
  }
  handshake(_cancellable?: Cancellable | null): Promise<void> {
    return Promise.reject(new TlsError(TlsErrorEnum.UNAVAILABLE, 'TLS support is not available'));
  }
  close(): Promise<void> {
    return this.baseIOStream.close();
  }
}
