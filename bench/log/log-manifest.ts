/** What a generated log holds: what a rebuild from it must produce, and a user to sign in as. */
export interface LogManifest {
  events: number;
  /** Documents each collection must have once every projection has applied the log. */
  documents: { users: number; sessions: number; rooms: number; messages: number; contacts: number; requests: number };
  /** A user with a live session, contacts and a direct room with messages: what `startup` asks for. */
  probe: {
    userId: number;
    token: string;
    contacts: number;
    removedContacts: number;
    roomId: number;
    roomMessages: number;
    lastText: string;
  };
  /**
   * Users and rooms spread over the whole log (busy and quiet alike), each with a live session
   * token and what its answers must hold: what `scale` asks for and checks.
   */
  sample: {
    users: SampleUser[];
    rooms: SampleRoom[];
  };
}

/** A user with a live session: its contact list (`GET /contact/version/0`) as the log says. */
export interface SampleUser {
  userId: number;
  token: string;
  contacts: number;
  removedContacts: number;
}

/** A room and a member with a live session: its newest page (`GET /v1/rooms/:id/messages`) as the log says. */
export interface SampleRoom {
  roomId: number;
  token: string;
  messages: number;
  /** The newest message's text; empty when it is a media message or the room has none. */
  lastText: string;
}
