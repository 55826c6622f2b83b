import type { RoutingState } from '../../projections/routing-state.js';
import type { BoardSignal } from '../../store/ports/signal-board.js';
import { boardBody } from '../../use-cases/board-signals.js';
import type { ConnectionRegistry } from './connection-registry.js';
import type { PresenceFanOut } from './presence-fan-out.js';

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
    const members = this.routing.room(body.roomId)?.members;
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
