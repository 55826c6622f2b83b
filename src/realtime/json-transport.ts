/** A WebSocket speaking JSON frames (v1). */
export interface JsonTransport {
  /** Writes one frame; false when the send buffer is over its bound. */
  send(frame: Record<string, unknown>): boolean;
  close(reason: string): void;
}
