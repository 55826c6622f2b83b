import type { RoomRoute, RoutingState } from '../../projections/routing-state.js';
import type { BoardSignal } from '../../store/ports/signal-board.js';
import { boardBody, type BoardBody } from '../../use-cases/board-signals.js';
import type { ConnectionRegistry } from './connection-registry.js';

/** Routes what the signal board carries (typing, from any process) to the connections here it concerns. */
export class BoardFanOut {
  constructor(
    private readonly routing: RoutingState,
    private readonly registry: ConnectionRegistry,
  ) {}

  route(signal: BoardSignal): void {
    const body = boardBody(signal.body);
    if (!body) return;
    // A room not in memory is read first (a signal of another room may pass it: typing can afford that); one
    // whose room cannot be read is given up, as signals are not kept.
    if (this.routing.cached(body.roomId)) this.signal(body, this.routing.room(body.roomId));
    else
      void this.routing.route(body.roomId).then(
        (route) => this.signal(body, route),
        () => undefined,
      );
  }

  private signal(body: BoardBody, route: RoomRoute | undefined): void {
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
