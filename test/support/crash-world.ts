/**
 * What clients did to a server that may be killed at any moment: every operation with how it
 * ended for the client. `acked` means the server answered success (HTTP 200, im status 0, IM
 * `[[a]]`): it must survive any crash. `unanswered` means the client never learnt: after a
 * restart it is either wholly there or wholly absent. `refused` should not happen in a workload
 * of valid requests, and is reported.
 */
export type Outcome = 'acked' | 'refused' | 'unanswered';

export interface WorldUser {
  dialect: 'v1' | 'im';
  /** The v1 login, or the im name: unique, so that a search finds exactly this user. */
  login: string;
  /** im users sign in with their phone. */
  phone: string | null;
  password: string;
  registered: Outcome;
  id: number | null;
  token: string | null;
}

export interface WorldContact {
  from: WorldUser;
  to: WorldUser;
  requested: Outcome;
  accepted: Outcome | null;
}

export interface WorldGroup {
  /** Unique: finds the group after a restart when its creation was not answered. */
  name: string;
  creator: WorldUser;
  members: WorldUser[];
  created: Outcome;
  id: number | null;
}

export interface WorldMessage {
  path: 'v1 HTTP' | 'IM WebSocket';
  sender: WorldUser;
  device: string;
  group: WorldGroup;
  clientId: string;
  text: string;
  sent: Outcome;
  /** The message id the acknowledgement gave. */
  id: number | null;
}

export class CrashWorld {
  readonly users: WorldUser[] = [];
  readonly contacts: WorldContact[] = [];
  readonly groups: WorldGroup[] = [];
  readonly messages: WorldMessage[] = [];

  /** Users a client can act as. */
  get signedIn(): WorldUser[] {
    return this.users.filter((user) => user.id !== null && user.token !== null);
  }

  /** Groups known to exist, with their ids. */
  get createdGroups(): WorldGroup[] {
    return this.groups.filter((group) => group.id !== null);
  }

  /** How many operations ended each way: the figures a crash run reports. */
  tally(): Record<Outcome, number> {
    const outcomes = [
      ...this.users.map((user) => user.registered),
      ...this.contacts.flatMap((contact) => [contact.requested, ...(contact.accepted ? [contact.accepted] : [])]),
      ...this.groups.map((group) => group.created),
      ...this.messages.map((message) => message.sent),
    ];
    return { acked: count(outcomes, 'acked'), refused: count(outcomes, 'refused'), unanswered: count(outcomes, 'unanswered') };
  }
}

function count(outcomes: readonly Outcome[], outcome: Outcome): number {
  return outcomes.filter((each) => each === outcome).length;
}
