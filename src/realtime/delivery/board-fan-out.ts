import type { RoomRoute, RoutingState } from '../../projections/routing-state.js';
import type { BoardSignal } from '../../store/ports/signal-board.js';
import { boardBody, type BoardBody } from '../../use-cases/board-signals.js';
import type { ConnectionRegistry } from './connection-registry.js';
import type { PresenceFanOut } from './presence-fan-out.js';

type TypingBody = Extract<BoardBody, { kind: 'typing' | 'typing_stopped' }>;

/** Routes what the signal board carries (typing and presence, from any process) to the connections here it concerns. */
export class BoardFanOut {
  constructor(
    private readonly routing: RoutingState,
    private readonly registry: ConnectionRegistry,
    private readonly presence: PresenceFanOut,
  ) {}

  route(signal: BoardSignal): void {
    const body = boardBody(signal.body);
    if (!body) return;
    if (body.kind === 'presence' || body.kind === 'presence_offline' || body.kind === 'presence_renewed')
      return this.presence.route(body, signal.expiresAt);
    // A room not in memory is read first (a signal of another room may pass it: typing can afford that); one
    // whose room cannot be read is given up, as signals are not kept.
    if (this.routing.cached(body.roomId)) this.signal(body, this.routing.room(body.roomId));
    else
      void this.routing.route(body.roomId).then(
        (route) => this.signal(body, route),
        () => undefined,
      );
  }

  private signal(body: TypingBody, route: RoomRoute | undefined): void {
    const members = route?.members;
    if (!members) return;
    const others = [...members].filter((member) => member !== body.userId);
    this.registry.signal(
      others,
      body.kind === 'typing'
        ? { kind: 'typing', roomId: body.roomId, userId: body.userId, expiresAt: body.expiresAt }
        : { kind: 'typing_stopped', roomId: body.roomId, userId: body.userId },
    );
  }
}
