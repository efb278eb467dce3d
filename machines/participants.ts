/**
 * A remote participant as the call engine reports it. Its identity is `pid` when
 * present, else `uid` (SPEC §2): CometChat's `pid` names one device in one session,
 * `uid` the user, so a user on two devices is two participants when pids are given.
 */
export interface Participant {
  /** The user's id; the identity when there is no `pid`. */
  readonly uid?: string;
  /** The participant's id in this call session (one device); the identity when present. */
  readonly pid?: string;
  /** Display name. */
  readonly name?: string;
  /** Avatar URL. */
  readonly avatar?: string;
  /** `true` for the user of this app, who never counts as a remote participant. */
  readonly isLocal?: boolean;
}

/**
 * The key a participant is stored under. Prefixed so that a `pid` can never collide
 * with another participant's `uid`.
 */
export function identityOf(participant: Participant): string {
  return participant.pid ? `p:${participant.pid}` : `u:${participant.uid ?? ''}`;
}

/** The local user never counts towards "alone" (SPEC §2). */
export function isRemote(participant: Participant): boolean {
  return participant.isLocal !== true;
}

export function sameParticipant(a: Participant, b: Participant): boolean {
  return a.uid === b.uid && a.pid === b.pid && a.name === b.name && a.avatar === b.avatar && a.isLocal === b.isLocal;
}

/**
 * A frozen copy holding only the fields a participant has (SPEC §2), so that no
 * caller's object, extra field or prototype is kept.
 */
export function copyParticipant(participant: Participant): Participant {
  const copy: { -readonly [K in keyof Participant]: Participant[K] } = {};
  if (participant.uid !== undefined) copy.uid = participant.uid;
  if (participant.pid !== undefined) copy.pid = participant.pid;
  if (participant.name !== undefined) copy.name = participant.name;
  if (participant.avatar !== undefined) copy.avatar = participant.avatar;
  if (participant.isLocal !== undefined) copy.isLocal = participant.isLocal;
  return Object.freeze(copy);
}

export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string')
    return value.length > 40 ? `a string of ${value.length} characters` : JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return typeof value;
}

/** How every error of the package names a bad value: `${what}; got ${describeValue(value)}`. */
export function expected(what: string, value: unknown): string {
  return `${what}; got ${describeValue(value)}`;
}

function optionalString(value: unknown, field: string, where: string): string | undefined {
  if (value !== undefined && typeof value !== 'string') {
    throw new TypeError(expected(`${where}.${field} must be a string`, value));
  }
  return value;
}

/**
 * Reads each field once into a fresh frozen object and checks that copy, so that a
 * getter or a later change to the caller's object cannot slip anything past the check.
 */
export function checkParticipant(value: unknown, where: string): Participant {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new TypeError(expected(`${where} must be a participant object`, value));
  }
  const source = value as Record<string, unknown>;
  const uid = optionalString(source.uid, 'uid', where);
  const pid = optionalString(source.pid, 'pid', where);
  const name = optionalString(source.name, 'name', where);
  const avatar = optionalString(source.avatar, 'avatar', where);
  const isLocal = source.isLocal;
  if (isLocal !== undefined && typeof isLocal !== 'boolean') {
    throw new TypeError(expected(`${where}.isLocal must be a boolean`, isLocal));
  }
  if (!uid && !pid) throw new TypeError(`${where} needs a non-empty uid or pid`);
  return copyParticipant({ uid, pid, name, avatar, isLocal });
}

/** A fresh frozen array of checked copies. */
export function checkParticipantList(value: unknown, where: string): readonly Participant[] {
  if (!Array.isArray(value)) throw new TypeError(expected(`${where} must be an array of participants`, value));
  const length = value.length;
  const list = new Array<Participant>(length);
  for (let i = 0; i < length; i++) list[i] = checkParticipant(value[i], `${where}[${i}]`);
  return Object.freeze(list);
}
