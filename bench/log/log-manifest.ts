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
}
