#!/usr/bin/env bash
# Proves the published package works: publint and attw find no problem, and the
# tarball `npm pack` makes installs into a fresh project outside this repository, beside
# the app's own xstate (the lowest version the peer range allows) with one copy of it;
# `createActor(callSessionMachine)` type-checks there against the app's xstate; it
# imports and runs a session, imports each SDK binding with no SDK installed, runs its
# command (replay, a self-contained inspect --out report, live mode refusing clearly
# without the optional ws), and brings no runtime dependency (xstate is a peer).
set -euo pipefail
cd "$(dirname "$0")/.."
out=.tmp/package-check
rm -rf "$out" && mkdir -p "$out"
demo="$PWD/examples/demo.jsonl"
lowest_xstate=$(node -p "require('./package.json').peerDependencies.xstate.replace(/^\\^/, '')")
tsc="$PWD/node_modules/.bin/tsc"

tarball=$(npm pack --silent --pack-destination "$out" | tail -n 1)
npx --no-install publint --strict
npx --no-install attw "$out/$tarball" --profile esm-only --format table-flipped

# Outside this repository, so that nothing resolves from its node_modules (its dev
# dependencies: the SDKs, ws).
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
cp "$out/$tarball" "$scratch/"
cd "$scratch"
printf '{ "name": "scratch", "private": true, "type": "module" }\n' > package.json
npm install --silent --no-audit --no-fund "xstate@$lowest_xstate" "./$tarball"
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
const { restoreCallSession } = await import('call-session-machine/persistence');
const live = createCallSession({ clock, settings: new SessionSettingsBuilder().setIdleTimeoutPeriod(5).build() });
live.join('stored');
live.send({ type: 'session.joined' });
const restored = restoreCallSession(JSON.parse(JSON.stringify(live.getPersistedSnapshot())), { clock });
live.dispose();
for (let i = 0; i < 5; i++) clock.increment(1000);
if (restored.state !== 'timedOut') {
  console.error('a session restored from the packed package misbehaves:', restored.state);
  process.exit(1);
}
console.log('packed package: call-session-machine/persistence restored a session through JSON, and it timed out');
const { getLifecyclePaths, replayLifecyclePath } = await import('call-session-machine/testing');
const paths = getLifecyclePaths();
for (const path of paths) replayLifecyclePath(path);
console.log(`packed package: imported and ran a session to timedOut; replayed ${paths.length} lifecycle paths from call-session-machine/testing`);
JS
node smoke.mjs
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
cp "$demo" demo.jsonl
npx --no-install call-session-machine --help | grep -q 'call-session-machine inspect \[FILE\]'
npx --no-install call-session-machine replay demo.jsonl | grep -q 'standup: timedOut (endReason idleTimeout)'
npx --no-install call-session-machine inspect demo.jsonl --out demo.html
cat > report-check.mjs <<'JS'
import { readFileSync } from 'node:fs';
const html = readFileSync('demo.html', 'utf8');
const fetching = html.match(/<script[^>]*\ssrc=|<link[^>]*\shref=(?!["']?data:)|<img|<iframe|@import|url\((?!#)|src=["']?https?:/gi) ?? [];
const problems = [];
if (fetching.length) problems.push(`it would fetch: ${fetching.join(', ')}`);
if (!/connect-src 'none'/.test(html)) problems.push('no Content-Security-Policy forbidding connections');
if (!html.includes('"mode":"report"') || !html.includes('participant.joined')) problems.push('the log is not inlined');
if ((html.match(/<script>/g) ?? []).length !== 1 || html.length < 50_000) problems.push('the page script is not inlined');
if (problems.length) {
  console.error(`demo.html is not a self-contained report: ${problems.join('; ')}`);
  process.exit(1);
}
console.log(`packed package: call-session-machine inspect --out wrote a self-contained demo.html (${html.length} bytes)`);
JS
node report-check.mjs
set +e
timeout 20 npx --no-install call-session-machine inspect --port 0 > /dev/null 2> live.err
live=$?
set -e
if [ "$live" != 3 ] || ! grep -q 'npm install --save-dev ws' live.err; then
  echo "live mode without ws must exit 3 saying how to install it; got $live: $(cat live.err)" >&2
  exit 1
fi
cat > inspector-smoke.mjs <<'JS'
import { createCallSession, SessionSettingsBuilder } from 'call-session-machine';
import { connectInspector } from 'call-session-machine/inspector';
import { SimulatedClock } from 'xstate';
const clock = new SimulatedClock();
// Nobody listens on port 9: the session must go on regardless.
const inspector = connectInspector('ws://127.0.0.1:9', { onError: () => {} });
const session = createCallSession({ clock, settings: new SessionSettingsBuilder().setIdleTimeoutPeriod(5).build(), inspect: inspector });
session.join('smoke');
session.send({ type: 'session.joined' });
clock.increment(5000);
inspector.close();
if (session.state !== 'timedOut') {
  console.error('a session with an unreachable inspector misbehaves:', session.state);
  process.exit(1);
}
console.log('packed package: call-session-machine/inspector imported; a session with no inspector listening timed out as it should');
JS
node inspector-smoke.mjs
deps=$(node -p "Object.keys(require('./node_modules/call-session-machine/package.json').dependencies || {}).join(',')")
if [ -n "$deps" ]; then echo "the package must have no runtime dependency (xstate is a peer); got: $deps" >&2; exit 1; fi
echo "packed package: no runtime dependency; xstate is a peer dependency"
