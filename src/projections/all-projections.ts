import { contactsProjection } from './contacts.js';
import { mediaProjection } from './media.js';
import { messagesProjection } from './messages.js';
import { notificationsProjection } from './notifications.js';
import type { Projection } from './projection.js';
import { readStateProjection } from './read-state.js';
import { roomsProjection } from './rooms.js';
import { sessionsProjection } from './sessions.js';
import { usersProjection } from './users.js';

/** Every read model the server keeps. */
export const projections: readonly Projection[] = [
  usersProjection,
  sessionsProjection,
  contactsProjection,
  roomsProjection,
  messagesProjection,
  mediaProjection,
  notificationsProjection,
  readStateProjection,
];
