#!/usr/bin/env bash
# Proves the published package works: publint and attw find no problem, and the
# tarball `npm pack` makes installs into a fresh project beside the app's own xstate
# (the lowest version the peer range allows) with one copy of it, imports there, runs
# a session, type-checks `createActor(callSessionMachine)` against the app's xstate,
# imports each SDK binding without its SDK installed, and brings no runtime
# dependency.
set -euo pipefail
cd "$(dirname "$0")/.."
out=.tmp/package-check
rm -rf "$out" && mkdir -p "$out/scratch"

tarball=$(npm pack --silent --pack-destination "$out" | tail -n 1)
npx --no-install publint --strict
npx --no-install attw "$out/$tarball" --profile esm-only --format table-flipped

lowest_xstate=$(node -p "require('./package.json').peerDependencies.xstate.replace(/^\\^/, '')")
tsc="$PWD/node_modules/.bin/tsc"
cd "$out/scratch"
printf '{ "name": "scratch", "private": true, "type": "module" }\n' > package.json
npm install --silent --no-audit --no-fund "xstate@$lowest_xstate" "../$tarball"
copies=$(npm ls xstate --all --parseable | wc -l)
if [ "$copies" != "1" ]; then npm ls xstate --all >&2; echo "expected one copy of xstate, found $copies" >&2; exit 1; fi
echo "packed package: installs beside the app's xstate@$lowest_xstate, one copy (npm ls xstate)"

cat > typed.ts <<'TS'
import { createActor } from 'xstate';
import { callSessionMachine, createCallSession, type CallSessionState } from 'call-session-machine';
const actor = createActor(callSessionMachine).start();
actor.send({ type: 'session.join', sessionId: 'typed' });
const state: CallSessionState = createCallSession().state;
export { actor, state };
TS
"$tsc" --strict --noEmit --module nodenext --moduleResolution nodenext --target es2022 typed.ts
echo "packed package: createActor(callSessionMachine) type-checks against the app's xstate"

cat > smoke.mjs <<'JS'
import { createCallSession, SessionSettingsBuilder, callSessionMachine } from 'call-session-machine';
import { SimulatedClock } from 'xstate';
const clock = new SimulatedClock();
const session = createCallSession({ clock, settings: new SessionSettingsBuilder().setIdleTimeoutPeriod(5).build() });
const fired = [];
session.addSessionStatusListener({ onSessionJoined: () => fired.push('joined'), onSessionTimedOut: () => fired.push('timedOut') });
session.join('smoke');
session.send({ type: 'session.joined' });
for (let i = 0; i < 5; i++) clock.increment(1000);
if (session.state !== 'timedOut' || fired.join() !== 'joined,timedOut' || callSessionMachine.id !== 'callSession') {
  console.error('packed package misbehaves:', session.state, fired);
  process.exit(1);
}
const { getLifecyclePaths, replayLifecyclePath } = await import('call-session-machine/testing');
const paths = getLifecyclePaths();
for (const path of paths) replayLifecyclePath(path);
console.log(`packed package: imported and ran a session to timedOut; replayed ${paths.length} lifecycle paths from call-session-machine/testing`);
const { createCallSessionFleet } = await import('call-session-machine/fleet');
const fleetClock = new SimulatedClock();
const fleet = createCallSessionFleet({ clock: fleetClock, settings: new SessionSettingsBuilder().setIdleTimeoutPeriod(5).build() });
const ended = [];
fleet.addSessionStatusListener({ onSessionTimedOut: (id) => ended.push(id) });
for (const id of ['a', 'b']) { fleet.add(id); fleet.join(id); fleet.send(id, { type: 'session.joined' }); }
for (let i = 0; i < 5; i++) fleetClock.increment(1000);
if (ended.join() !== 'a,b' || fleet.state('a') !== 'timedOut') {
  console.error('packed call-session-machine/fleet misbehaves:', ended, fleet.state('a'));
  process.exit(1);
}
console.log('packed package: call-session-machine/fleet timed out two sessions on one timer');
JS
node smoke.mjs
deps=$(node -p "Object.keys(require('./node_modules/call-session-machine/package.json').dependencies || {}).join(',')")
if [ -n "$deps" ]; then echo "the package must have no runtime dependency (xstate is a peer); got: $deps" >&2; exit 1; fi
echo "packed package: no runtime dependency; xstate is a peer dependency"

# The bindings import their SDK's types only: each subpath must load where no SDK can be
# found. A project inside this repository would resolve the SDKs from its node_modules,
# so this one lives in a fresh directory outside it.
packed="$(cd .. && pwd)/$tarball"
isolated=$(mktemp -d)
trap 'rm -rf "$isolated"' EXIT
cd "$isolated"
printf '{ "name": "scratch-bindings", "private": true, "type": "module" }\n' > package.json
npm install --silent --no-audit --no-fund "$packed"
cat > bindings.mjs <<'JS'
for (const sdk of ['livekit-client', 'twilio-video', '@daily-co/daily-js']) {
  let found = true;
  try {
    import.meta.resolve(sdk);
  } catch {
    found = false;
  }
  if (found) {
    console.error(`${sdk} resolves from the scratch project; the binding import check would prove nothing`);
    process.exit(1);
  }
}
for (const [subpath, name] of [['livekit', 'bindLiveKitRoom'], ['twilio', 'bindTwilioRoom'], ['daily', 'bindDailyCall']]) {
  const binding = await import(`call-session-machine/${subpath}`);
  if (typeof binding[name] !== 'function') {
    console.error(`call-session-machine/${subpath} does not export ${name}`);
    process.exit(1);
  }
}
console.log('packed package: call-session-machine/livekit, /twilio and /daily import with no SDK installed');
JS
node bindings.mjs
