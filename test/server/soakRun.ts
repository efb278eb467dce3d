/**
 * The server soak: many LiveKit rooms with random joins and leaves (a recorder now and
 * then, a lost webhook, a duplicate delivery) sent as signed webhooks over loopback to one
 * server, against a reference of who should be ended when. The reference is the rule of
 * SPEC §12 written plainly: a counted participant the server sees alone for the idle
 * period is ended at its deadline if the provider, re-read then, lists them alone; else
 * the server takes the provider's list. Steps are never scheduled near a deadline, so the
 * expected outcome is never a matter of milliseconds.
 */
import { createSessionServer, startSessionServer } from 'call-session-machine/server';
import {
  LIVEKIT_KEY,
  LIVEKIT_SECRET,
  liveKitWebhook,
  startLiveKitStandIn,
  webhookPoster,
} from '../support/serverStandIns.js';

export interface SoakOptions {
  rooms: number;
  idleSeconds: number;
  /** The two gaps between steps of a room: most are short, some long (past a deadline). */
  shortMs: number;
  longMs: number;
  /** No step within this of a deadline. */
  marginMs: number;
  stepsPerRoom: number;
  /** Rooms start spread over this long. */
  spreadMs: number;
  seed: number;
  /** How late an end may be, for a mismatch to be reported. */
  toleranceMs: number;
}

export interface SoakResult {
  webhooks: number;
  expectedEnds: number;
  /** Rooms left unchecked: a step meant to come well before a deadline was answered too late to tell. */
  ambiguous: number;
  actualEnds: number;
  mismatches: string[];
  /** End action time minus the reference deadline, ms, sorted. */
  lateness: number[];
  seconds: number;
}

function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const sleepUntil = (at: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, at - Date.now())));

type Kind = 'STANDARD' | 'EGRESS';
const PEOPLE = ['p0', 'p1', 'p2', 'p3'];

export async function runServerSoak(options: SoakOptions): Promise<SoakResult> {
  const api = await startLiveKitStandIn();
  const server = createSessionServer({
    provider: 'livekit',
    livekit: { apiKey: LIVEKIT_KEY, apiSecret: LIVEKIT_SECRET, url: api.url },
    idle: options.idleSeconds,
    warning: 0,
    log: () => {},
  });
  const running = await startSessionServer(server, { port: 0 });
  const http = webhookPoster(Number(new URL(running.url).port), 64);
  const idleMs = options.idleSeconds * 1000;
  const expected = new Map<string, { identity: string; at: number }>();
  const mismatches: string[] = [];
  const ambiguous = new Set<string>();
  let webhooks = 0;
  const began = Date.now();

  async function room(index: number): Promise<void> {
    const rand = random(options.seed * 100_003 + index);
    const name = `soak-${index}`;
    /** What the provider has (the stand-in lists it), and what the server was told. */
    const truth = new Map<string, Kind>();
    const seen = new Map<string, Kind>();
    let alone: { identity: string; since: number } | null = null;
    const sync = () =>
      api.rooms.set(
        name,
        [...truth].map(([identity, kind]) => ({ identity, kind })),
      );
    const recomputeAlone = (at: number) => {
      const counted = [...seen].filter(([, kind]) => kind === 'STANDARD').map(([identity]) => identity);
      if (counted.length !== 1) alone = null;
      else if (alone?.identity !== counted[0]) alone = { identity: counted[0]!, since: at };
    };
    await sleepUntil(began + rand() * options.spreadMs);
    sync();
    const deliver = async (init: Parameters<typeof liveKitWebhook>[0], lost: boolean, twice: boolean) => {
      if (lost) return;
      const signed = await liveKitWebhook(init);
      for (let n = twice ? 2 : 1; n > 0; n--) {
        webhooks++;
        const status = await http.send(signed);
        if (status !== 200) mismatches.push(`${name}: webhook answered ${status}`);
      }
    };

    for (let step = 0; step <= options.stepsPerRoom; step++) {
      const last = step === options.stepsPerRoom;
      const pending = alone === null ? null : (alone as { since: number }).since + idleMs;
      const counted = [...truth].filter(([, kind]) => kind === 'STANDARD').map(([identity]) => identity);
      const absent = PEOPLE.filter((p) => !truth.has(p));
      let identity: string;
      let kind: Kind = 'STANDARD';
      let joining: boolean;
      const roll = rand();
      if (last) {
        // Everybody leaves at the end: nothing is left pending.
        if (truth.size === 0) break;
        identity = [...truth.keys()][0]!;
        kind = truth.get(identity)!;
        joining = false;
        step--;
      } else if (roll < 0.12) {
        identity = 'rec';
        kind = 'EGRESS';
        joining = !truth.has('rec');
      } else if (counted.length === 0 || (roll < 0.6 && absent.length > 0)) {
        identity = absent[Math.floor(rand() * absent.length)]!;
        joining = true;
      } else {
        identity = counted[Math.floor(rand() * counted.length)]!;
        joining = false;
      }
      if (joining) truth.set(identity, kind);
      else truth.delete(identity);
      sync();
      // Only a join is ever lost (a lost leave would leave the server in company forever: LiveKit's retries).
      const lost = joining && rand() < 0.04;
      await deliver(
        {
          event: joining ? 'participant_joined' : rand() < 0.2 ? 'participant_connection_aborted' : 'participant_left',
          room: name,
          identity,
          kind,
        },
        lost,
        rand() < 0.05,
      );
      if (!lost) {
        if (joining) seen.set(identity, kind);
        else seen.delete(identity);
      }
      const answeredAt = Date.now();
      if (pending !== null && answeredAt > pending - options.marginMs) {
        // The step was meant to land well before a deadline, and the machine was too busy
        // to answer it in time: whether the end came first is a matter of milliseconds.
        ambiguous.add(name);
        return;
      }
      recomputeAlone(answeredAt);
      let next = answeredAt + (rand() < 0.25 ? options.longMs : options.shortMs);
      // Deadlines that come before the next step: the reference decides each.
      for (;;) {
        if (alone === null) break;
        const deadline = (alone as { since: number }).since + idleMs;
        if (next < deadline - options.marginMs) break;
        await sleepUntil(deadline);
        const countedTruth = [...truth].filter(([, k]) => k === 'STANDARD').map(([id]) => id);
        const who = (alone as { identity: string }).identity;
        if (countedTruth.length === 1 && countedTruth[0] === who) {
          expected.set(name, { identity: who, at: deadline });
          // What LiveKit does after a DeleteRoom: the room is gone, room_finished follows.
          await sleepUntil(deadline + options.toleranceMs);
          await deliver({ event: 'room_finished', room: name }, false, false);
          return;
        }
        // The re-read: the server takes the provider's list, and a countdown may start from here.
        seen.clear();
        for (const [id, k] of truth) seen.set(id, k);
        alone = null;
        recomputeAlone(deadline);
        next = Math.max(next, deadline + options.marginMs);
      }
      await sleepUntil(next);
    }
  }

  await Promise.all(Array.from({ length: options.rooms }, (_, index) => room(index)));
  await new Promise((resolve) => setTimeout(resolve, options.toleranceMs));

  const lateness: number[] = [];
  const ends = api.calls.filter((call) => call.method === 'DeleteRoom');
  const byRoom = new Map<string, number[]>();
  for (const call of ends) byRoom.set(String(call.body.room), [...(byRoom.get(String(call.body.room)) ?? []), call.at]);
  for (const [name, at] of byRoom) {
    if (ambiguous.has(name)) continue;
    const want = expected.get(name);
    if (!want) mismatches.push(`${name}: ended, and nobody should have been`);
    else if (at.length !== 1) mismatches.push(`${name}: ended ${at.length} times`);
    else {
      lateness.push(at[0]! - want.at);
      if (Math.abs(at[0]! - want.at) > options.toleranceMs)
        mismatches.push(`${name}: ended ${at[0]! - want.at} ms from its deadline`);
    }
  }
  for (const name of expected.keys())
    if (!byRoom.has(name) && !ambiguous.has(name)) mismatches.push(`${name}: should have ended and was not`);
  http.close();
  await running.close();
  await api.close();
  return {
    webhooks,
    expectedEnds: expected.size,
    ambiguous: ambiguous.size,
    actualEnds: ends.length,
    mismatches,
    lateness: lateness.sort((a, b) => a - b),
    seconds: (Date.now() - began) / 1000,
  };
}
