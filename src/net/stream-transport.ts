import type { Stream } from '@libp2p/interface';
import { lpStream } from '@libp2p/utils';
import { MAX_WIRE_MESSAGE_BYTES, type MessageTransport } from '../sync';

export interface StreamTransportOptions {
  /// Largest message accepted; a longer length prefix aborts the stream before the bytes are read.
  readonly maxMessageBytes?: number;
  /// A read that waits longer than this ends the session: peers send presence every 10 s,
  /// so silence this long means the peer is gone.
  readonly readTimeoutMs?: number;
}

/// The sync session's transport over a libp2p stream: varint length-prefixed messages (libp2p's
/// own lpStream), every read capped in size and bounded in time, writes that wait for the
/// stream to drain.
export function streamTransport(stream: Stream, options: StreamTransportOptions = {}): MessageTransport {
  const maxMessageBytes = options.maxMessageBytes ?? MAX_WIRE_MESSAGE_BYTES;
  const readTimeoutMs = options.readTimeoutMs ?? 30_000;
  const framed = lpStream(stream, { maxDataLength: maxMessageBytes });
  let closed = false;
  return {
    async send(bytes) {
      await framed.write(bytes);
    },
    incoming: {
      async *[Symbol.asyncIterator]() {
        while (!closed) {
          let message;
          try {
            message = await framed.read({ signal: AbortSignal.timeout(readTimeoutMs) });
          } catch (error) {
            // The peer closed its side: the session ends normally.
            if (closed || (error instanceof Error && error.name === 'UnexpectedEOFError')) return;
            throw error;
          }
          yield message.subarray();
        }
      },
    },
    close(reason = 'closed') {
      if (closed) return;
      closed = true;
      stream.close().catch(() => stream.abort(new Error(reason)));
    },
  };
}
