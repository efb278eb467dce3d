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
  return (
    a.uid === b.uid &&
    a.pid === b.pid &&
    a.name === b.name &&
    a.avatar === b.avatar &&
    a.isLocal === b.isLocal
  );
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
