/** A WebSocket speaking JSON frames (v1). */
export interface JsonTransport {
  /** Writes one frame; false when the send buffer is over its bound. */
  send(frame: Record<string, unknown>): boolean;
  close(reason: string): void;
  /** Drops the connection now, with whatever is still unsent (a stalled client). */
  abort(): void;
  /** Bytes written but not yet taken by the client. */
  buffered(): number;
}
