import type { StoredEvent } from '../../events/eschat-event.js';
import { isEschatEvent } from '../../events/event-types.js';
import type { People } from './people.js';

/** Longest quoted text in a summary: the whole text is in the entry's data. */
const QUOTE = 60;

/** One line in words of what an event says, people named from the log; its type alone for a type this version does not know. */
export function summarize(event: StoredEvent, people: People, withContent: boolean): string {
  if (!isEschatEvent(event)) return event.type;
  const who = (id: number) => people.label(id);
  const said = (text: string) => (withContent && text !== '' ? `: ${quote(text)}` : '');
  switch (event.type) {
    case 'UserRegistered': {
      const { userId, login, phone, name } = event.data;
      const handles = [login === null ? null : `login ${quote(login)}`, phone === null ? null : `phone ${phone}`].filter(
        (part) => part !== null,
      );
      return `${who(userId)} registered as ${quote(name)}${handles.length > 0 ? ` (${handles.join(', ')})` : ''}`;
    }
    case 'UserErased':
      return `${who(event.data.userId)} was erased${event.data.by === null ? ' by the operator' : ` by ${who(event.data.by)}`}`;
    case 'ValueClaimed':
      return `${event.stream} claimed for ${who(event.data.userId)}`;
    case 'ValueReleased':
      return `${event.stream} released by ${who(event.data.userId)}`;
    case 'SessionStarted': {
      const { userId, device, dialect, address } = event.data;
      return `${who(userId)} signed in on ${quote(device)} (${dialect}) from ${address ?? 'an unknown address'}`;
    }
    case 'SessionEnded':
      return `${who(event.data.userId)} signed out (${event.data.reason})`;
    case 'ContactRequested':
      return `${who(event.data.from)} asked ${who(event.data.to)} to be a contact${said(event.data.ask)}`;
    case 'ContactAccepted':
      return `${who(event.data.by)} accepted the contact request of ${who(event.data.requester)}`;
    case 'ContactDeclined':
      return `${who(event.data.by)} declined the contact request of ${who(event.data.requester)}`;
    case 'ContactRequestCancelled':
      return `${who(event.data.by)} withdrew the contact request to ${who(event.data.target)}`;
    case 'ContactDeleted':
      return `${who(event.data.by)} ended the contact with ${who(event.data.other)}`;
    case 'RoomCreated': {
      const { roomId, kind, name, creator, members } = event.data;
      return `${who(creator)} created ${kind} room ${roomId}${name === null ? '' : ` ${quote(name)}`} with ${members.map(who).join(', ')}`;
    }
    case 'RoomMemberJoined': {
      const { roomId, userId, via, by } = event.data;
      if (via === 'added') return `${who(by)} added ${who(userId)} to room ${roomId}`;
      return `${who(userId)} joined room ${roomId} ${via === 'key' ? 'with its invite key' : 'at its creation'}`;
    }
    case 'RoomMemberLeft':
      return `${who(event.data.userId)} left room ${event.data.roomId}`;
    case 'RoomMemberRemoved':
      return `${who(event.data.by)} removed ${who(event.data.userId)} from room ${event.data.roomId}`;
    case 'RoomDeleted':
      return `${who(event.data.by)} deleted room ${event.data.roomId}`;
    case 'RoomKeyRotated':
      return `${who(event.data.by)} replaced the invite key of room ${event.data.roomId}`;
    case 'DirectRoomClaimed':
      return `room ${event.data.roomId} is the direct room of ${event.data.members.map(who).join(' and ')}`;
    case 'MessageSent': {
      const { sender, roomId, kind, text, mediaId } = event.data;
      const content = kind === 'text' ? said(text ?? '') : ` (${kind} ${mediaId ?? ''})`;
      return `${who(sender)} sent message ${event.position} to room ${roomId}${content}`;
    }
    case 'MessageEdited': {
      const { sender, roomId, messageId, text } = event.data;
      return `${who(sender)} edited message ${messageId} in room ${roomId}${said(text)}`;
    }
    case 'MessageDeleted': {
      const { by, roomId, messageId, sender } = event.data;
      return `${who(by)} deleted message ${messageId} in room ${roomId}${by === sender ? '' : ` (sent by ${who(sender)})`}`;
    }
    case 'MediaUploaded': {
      const { owner, kind, mediaId, contentType, size } = event.data;
      return `${who(owner)} uploaded ${kind} ${mediaId} (${contentType}, ${size} bytes)`;
    }
    // Where someone read up to is as personal as what they wrote: content.
    case 'RoomReadMarked':
      return `${who(event.data.userId)} read room ${event.data.roomId}${withContent ? ` up to message ${event.data.upTo}` : ''}`;
    case 'ReadReceiptsChanged':
      return `${who(event.data.userId)} turned read receipts ${event.data.enabled ? 'on' : 'off'}`;
  }
}

function quote(text: string): string {
  const characters = [...text];
  return JSON.stringify(characters.length > QUOTE ? `${characters.slice(0, QUOTE - 1).join('')}…` : text);
}
