// The listener rules (SPEC §3, docs/semantics.md "Listener rules"), tested once, against the
// one core both runtimes dispatch through (src/core/sessionCore.ts): registration, order,
// removal, an AbortSignal, changes during a dispatch, isolation of what a listener throws,
// the session id of a fleet. test/listeners.test.ts and test/fleet/listeners.test.ts hold
// what each runtime adds on top.
import { afterEach, describe, expect, test, vi } from 'vitest';
import { ParticipantRoster } from '../../machines/participantRoster.js';
import type { ParticipantEventListener, SessionStatusListener } from '../../src/core/listeners.js';
import { SessionCore } from '../../src/core/sessionCore.js';
import type { SessionCallback } from '../../src/core/sessionView.js';

type Core = SessionCore<SessionStatusListener, ParticipantEventListener>;

const joined: SessionCallback = { listener: 'status', name: 'onSessionJoined', argument: undefined };
const lost: SessionCallback = { listener: 'status', name: 'onConnectionLost', argument: undefined };
const warning: SessionCallback = { listener: 'status', name: 'onIdleTimeoutWarning', argument: 30 };
const alice = Object.freeze({ uid: 'alice' });
const aliceJoined: SessionCallback = { listener: 'participant', name: 'onParticipantJoined', argument: alice };
const listChanged: SessionCallback = {
  listener: 'participant',
  name: 'onParticipantListChanged',
  argument: ParticipantRoster.fromList([alice]),
};

function newCore(onListenerError?: (error: unknown) => void): Core {
  return new SessionCore(onListenerError);
}

/** A status listener logging `name:callback(args)`. */
function status(name: string, log: string[]): SessionStatusListener {
  const record =
    (callback: string) =>
    (...args: unknown[]) =>
      log.push(`${name}:${callback}(${args.map((a) => JSON.stringify(a)).join(',')})`);
  return {
    onSessionJoined: record('onSessionJoined'),
    onConnectionLost: record('onConnectionLost'),
    onIdleTimeoutWarning: record('onIdleTimeoutWarning'),
  };
}

function people(name: string, log: string[]): ParticipantEventListener {
  return {
    onParticipantJoined: (participant) => log.push(`${name}:onParticipantJoined(${participant.uid})`),
    onParticipantListChanged: (list) => log.push(`${name}:onParticipantListChanged(${list.length})`),
  };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('registration', () => {
  test('the same object added twice is registered once, and removed once it is gone', () => {
    const core = newCore();
    const log: string[] = [];
    const listener = status('A', log);
    core.addStatusListener(listener);
    core.addStatusListener(listener);
    core.dispatch([joined]);
    expect(log).toEqual(['A:onSessionJoined()']);
    core.removeStatusListener(listener);
    core.dispatch([lost]);
    expect(log).toEqual(['A:onSessionJoined()']);
  });

  test('listeners are called in the order added, status and participant ones alike; a re-added one goes last', () => {
    const core = newCore();
    const log: string[] = [];
    const c = status('C', log);
    core.addStatusListener(c);
    core.addStatusListener(status('A', log));
    core.addParticipantListener(people('Q', log));
    core.addParticipantListener(people('P', log));
    core.dispatch([joined, aliceJoined, listChanged]);
    expect(log).toEqual([
      'C:onSessionJoined()',
      'A:onSessionJoined()',
      'Q:onParticipantJoined(alice)',
      'P:onParticipantJoined(alice)',
      'Q:onParticipantListChanged(1)',
      'P:onParticipantListChanged(1)',
    ]);
    log.length = 0;
    core.removeStatusListener(c);
    core.addStatusListener(c);
    core.dispatch([lost]);
    expect(log).toEqual(['A:onConnectionLost()', 'C:onConnectionLost()']);
  });

  test('the unsubscribe returned removes that listener only and is harmless twice; removing a stranger does nothing', () => {
    const core = newCore();
    const log: string[] = [];
    const off = core.addStatusListener(status('A', log));
    core.addStatusListener(status('B', log));
    const offPeople = core.addParticipantListener(people('P', log));
    off();
    off();
    offPeople();
    core.removeStatusListener(status('stranger', log));
    core.dispatch([joined, aliceJoined]);
    expect(log).toEqual(['B:onSessionJoined()']);
  });

  test('an AbortSignal removes a listener when aborted; an aborted one never adds it', () => {
    const core = newCore();
    const log: string[] = [];
    const controller = new AbortController();
    core.addStatusListener(status('A', log), { signal: controller.signal });
    core.addStatusListener(status('B', log), { signal: AbortSignal.abort() });
    core.dispatch([joined]);
    controller.abort();
    core.dispatch([lost]);
    expect(log).toEqual(['A:onSessionJoined()']);
  });

  test('a listener that is not an object, or options that are not, are a TypeError naming what was given', () => {
    const core = newCore();
    expect(() => core.addStatusListener(null as never)).toThrow(/must be an object with callbacks; got null/);
    expect(() => core.addParticipantListener('x' as never)).toThrow(/got "x"/);
    expect(() => core.addStatusListener({}, 1 as never)).toThrow(/listener options must be an object/);
    expect(() => core.addStatusListener({}, { signal: {} as AbortSignal })).toThrow(/must be an AbortSignal/);
  });

  test('a listener with only some callbacks, or none of those fired, is fine', () => {
    const core = newCore();
    const log: string[] = [];
    core.addStatusListener({});
    core.addStatusListener({ onConnectionLost: () => log.push('lost') });
    core.dispatch([joined, lost]);
    expect(log).toEqual(['lost']);
  });
});

describe('arguments', () => {
  test('no argument where a callback has none; the seconds left; a participant; the roster as its frozen list', () => {
    const core = newCore();
    const calls: unknown[][] = [];
    core.addStatusListener({
      onSessionJoined: (...args: unknown[]) => calls.push(args),
      onIdleTimeoutWarning: (...args: unknown[]) => calls.push(args),
    });
    core.addParticipantListener({
      onParticipantJoined: (...args: unknown[]) => calls.push(args),
      onParticipantListChanged: (...args: unknown[]) => calls.push(args),
    });
    core.dispatch([joined, warning, aliceJoined, listChanged]);
    expect(calls).toEqual([[], [30], [alice], [[alice]]]);
    expect(Object.isFrozen(calls[3]![0])).toBe(true);
  });

  test('with a session id (a fleet), every callback gets it first, the rest unchanged', () => {
    const core = newCore();
    const calls: unknown[][] = [];
    core.addStatusListener({
      onSessionJoined: (...args: unknown[]) => calls.push(args),
      onIdleTimeoutWarning: (...args: unknown[]) => calls.push(args),
    });
    core.addParticipantListener({ onParticipantJoined: (...args: unknown[]) => calls.push(args) });
    core.dispatch([joined, warning, aliceJoined], 'room-1');
    expect(calls).toEqual([['room-1'], ['room-1', 30], ['room-1', alice]]);
  });
});

describe('changes during a dispatch', () => {
  test('a listener removed by an earlier one (or by itself) is not called again in that dispatch, even for a later callback', () => {
    const core = newCore();
    const log: string[] = [];
    const later = status('later', log);
    const people1 = people('P', log);
    const self: SessionStatusListener = {
      onSessionJoined: () => {
        log.push('self');
        core.removeStatusListener(self);
      },
      onConnectionLost: () => log.push('self again'),
    };
    core.addStatusListener(self);
    core.addStatusListener({
      onSessionJoined: () => {
        core.removeStatusListener(later);
        core.removeParticipantListener(people1);
      },
    });
    core.addStatusListener(later);
    core.addParticipantListener(people1);
    core.dispatch([joined, lost, aliceJoined]);
    expect(log).toEqual(['self']);
  });

  test('a listener added during a dispatch, or removed and added back, is first called for the next dispatch', () => {
    const core = newCore();
    const log: string[] = [];
    const bounced = status('bounced', log);
    core.addStatusListener({
      onSessionJoined: () => {
        core.addStatusListener(status('new', log));
        core.addParticipantListener(people('newP', log));
        core.removeStatusListener(bounced);
        core.addStatusListener(bounced);
      },
    });
    core.addStatusListener(bounced);
    core.dispatch([joined, lost, aliceJoined]);
    expect(log).toEqual([]);
    core.dispatch([lost]);
    expect(log).toEqual(['new:onConnectionLost()', 'bounced:onConnectionLost()']);
  });

  test('abortDispatch() (a session removed, a runtime disposed) ends the dispatch before its next call', () => {
    const core = newCore();
    const log: string[] = [];
    core.addStatusListener({
      onSessionJoined: () => {
        log.push('first');
        core.abortDispatch();
      },
    });
    core.addStatusListener(status('second', log));
    core.dispatch([joined, lost]);
    expect(log).toEqual(['first']);
    // The next dispatch runs in full.
    core.dispatch([lost]);
    expect(log).toEqual(['first', 'second:onConnectionLost()']);
  });

  test('clear() from a callback: no listener is called again, not even the rest of that dispatch', () => {
    const core = newCore();
    const log: string[] = [];
    core.addStatusListener({ onSessionJoined: () => core.clear() });
    core.addStatusListener(status('B', log));
    core.dispatch([joined, lost]);
    core.addStatusListener(status('C', log));
    expect(log).toEqual([]);
  });

  test('dispatching is true only while callbacks run', () => {
    const core = newCore();
    const seen: boolean[] = [];
    core.addStatusListener({ onSessionJoined: () => seen.push(core.dispatching) });
    core.dispatch([joined]);
    expect(seen).toEqual([true]);
    expect(core.dispatching).toBe(false);
  });
});

describe('what a listener throws is isolated', () => {
  test('a throwing call, a throwing getter and a throwing Proxy trap: each reported, the others run', () => {
    const errors: unknown[] = [];
    const core = newCore((error) => errors.push(error));
    const log: string[] = [];
    const boom = new Error('boom');
    const trap = new Error('getter');
    const hostile = new Proxy(
      {},
      {
        get() {
          throw new Error('proxy trap');
        },
      },
    );
    core.addStatusListener(status('before', log));
    core.addStatusListener({
      onSessionJoined: () => {
        throw boom;
      },
    });
    core.addStatusListener({
      get onSessionJoined(): () => void {
        throw trap;
      },
    });
    core.addStatusListener(hostile as SessionStatusListener);
    core.addParticipantListener(hostile as ParticipantEventListener);
    core.addParticipantListener({
      onParticipantJoined: () => {
        throw 'a string';
      },
    });
    core.addStatusListener(status('after', log));
    expect(() => core.dispatch([joined, aliceJoined])).not.toThrow();
    expect(log).toEqual(['before:onSessionJoined()', 'after:onSessionJoined()']);
    expect(errors.slice(0, 2)).toEqual([boom, trap]);
    expect((errors[2] as Error).message).toBe('proxy trap');
    expect((errors[3] as Error).message).toBe('proxy trap');
    expect(errors[4]).toBe('a string');
    expect(errors).toHaveLength(5);
  });

  test('without onListenerError the error goes to console.error; one onListenerError throws goes there too', () => {
    const spy = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const boom = new Error('boom');
    const quiet = newCore();
    quiet.addStatusListener({
      onSessionJoined: () => {
        throw boom;
      },
    });
    quiet.dispatch([joined]);
    expect(spy).toHaveBeenCalledWith(expect.stringContaining('a listener threw'), boom);

    const broken = new Error('reporter broke');
    const loud = newCore(() => {
      throw broken;
    });
    const log: string[] = [];
    loud.addStatusListener({
      onSessionJoined: () => {
        throw boom;
      },
    });
    loud.addStatusListener(status('B', log));
    expect(() => loud.dispatch([joined])).not.toThrow();
    expect(log).toEqual(['B:onSessionJoined()']);
    expect(spy).toHaveBeenCalledWith(expect.stringContaining('onListenerError threw'), broken);
  });
});
