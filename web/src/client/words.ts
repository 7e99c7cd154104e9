// Room events, notices and times in words, as the `liaise` command says them
// (client/src/events.cpp), for people rather than for logs.
import type { Json } from '../protocol/connection';

const field = (o: Json, k: string): string => (typeof o[k] === 'string' ? (o[k] as string) : '');

/** "Bea Patel (Riverside Primary)", or the account name when there is no display name. */
export function personName(displayName: string, agency: string, user: string): string {
  const name = displayName || user;
  return agency ? `${name} (${agency})` : name;
}

function withAgency(o: Json): string {
  return personName(field(o, 'display_name'), field(o, 'agency'), field(o, 'user'));
}

function actor(e: Json): string {
  return field(e, 'by_display_name') || field(e, 'by') || 'the server';
}

function subject(e: Json): string {
  return field(e, 'display_name') || field(e, 'user');
}

export function describeEvent(e: Json): string {
  const kind = field(e, 'kind');
  switch (kind) {
    case 'member_added':
      return `${withAgency(e)} was added by ${actor(e)}`;
    case 'member_removed':
      return field(e, 'user') === field(e, 'by') ? `${withAgency(e)} left the room`
        : `${withAgency(e)} was removed by ${actor(e)}`;
    case 'room_created': {
      const people = Array.isArray(e.members) ? (e.members as Json[]).map(withAgency).join('; ') : '';
      return `${actor(e)} created the room for ${people}`;
    }
    case 'audience_changed':
      return e.public === true ? `The room now includes the public (changed by ${actor(e)})`
        : `The room is now for professionals only (changed by ${actor(e)})`;
    case 'glossary_changed': {
      const term = field(e, 'term');
      if (field(e, 'change') === 'removed') return `${actor(e)} withdrew the agreed term ${term} from this room`;
      return `${actor(e)} ${field(e, 'change') === 'changed' ? 'gave the agreed term' : 'agreed the term'} ${term} for this room: ${field(e, 'meaning')}`;
    }
    case 'role_changed':
      return `${subject(e)}’s role changed from ${field(e, 'previous_role')} to ${field(e, 'role')} (changed by ${actor(e)})`;
    case 'account_suspended':
      return `${subject(e)}’s account was suspended by ${actor(e)}: new messages no longer go to them`;
    case 'account_reinstated':
      return `${subject(e)}’s account was reinstated by ${actor(e)}: new messages go to them again`;
    case 'device_replaced':
      return `New device for ${subject(e)}${field(e, 'agency') ? ` (${field(e, 'agency')})` : ''}: ` +
        `verify ${subject(e)} again before trusting it`;
    case 'history_shared': {
      // "Hana Ali shared history since 1 Mar 2026 with Sam Jones", as `liaise` says it.
      const since = new Date(Number(e.since ?? 0)).toLocaleDateString('en-GB',
        { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'Europe/London' });
      return `${actor(e)} shared history since ${since} with ${subject(e)}`;
    }
    case 'message_withdrawn': // worded again once checked (Session.takeWithdrawal)
      return `${actor(e)} withdrew a message`;
    case 'withdrawn': // the place of a message withdrawn before this device read it
      return `A message withdrawn by ${actor(e)}`;
    case 'expired': // the place of a message deleted under the retention schedule
      return 'A message was deleted by the server under the retention schedule';
    default:
      return `The room changed (“${kind}”; a newer Liaise shows it in words)`;
  }
}

/** A notice the server pushed, in words; null for events shown elsewhere (messages). */
export function describeNotice(e: Json, me: string): string | null {
  const type = field(e, 'type');
  const room = field(e, 'room');
  switch (type) {
    case 'message':
      return null;
    case 'membership': {
      const change = field(e, 'change');
      const you = field(e, 'user') === me;
      if (change === 'created') return `You are in a new room, ${room}`;
      if (change === 'added') return you ? `You were added to ${room}` : null;
      if (change === 'removed') return you ? `You were removed from ${room}: you can no longer read or send there` : null;
      return null;
    }
    case 'action_assigned':
      return `An action was given to you: ${field(e, 'what')} (due ${field(e, 'due')})`;
    case 'minutes_circulated':
      return `Minutes of meeting ${String(e.meeting)} in ${room} were circulated to you (version ${String(e.version)})`;
    case 'action_reminder':
      return `Reminder: you have ${String(e.overdue ?? 0)} overdue action(s) and ${String(e.due_soon ?? 0)} due within two days`;
    case 'question':
      return `Your question about “${field(e, 'term')}” was ${field(e, 'status')}: ${field(e, 'reply')}`;
    case 'keys_changed':
      return `${field(e, 'user')} has a new device: compare safety numbers with them before trusting it`;
    case 'dictionaries':
    case 'minutes_changed': // a screen showing the meeting fetches it again; nothing to say
      return null;
    default:
      return `The server sent a notice this version of Liaise does not know (“${type}”)`;
  }
}

const ukTime = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London', hour: '2-digit', minute: '2-digit',
});
const ukDay = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London', weekday: 'short', day: 'numeric', month: 'short', year: 'numeric',
});

/** "14:05" today (UK time), else "Tue 3 Dec 2026, 14:05". */
export function ukWhen(ms: number, now = Date.now()): string {
  const d = new Date(ms);
  const sameDay = ukDay.format(d) === ukDay.format(new Date(now));
  return sameDay ? ukTime.format(d) : `${ukDay.format(d)}, ${ukTime.format(d)}`;
}

/** A machine-readable timestamp for <time datetime>. */
export function isoTime(ms: number): string {
  return new Date(ms).toISOString();
}
