#!/usr/bin/env bash
# Proves the published package works: publint and attw find no problem, and the
# tarball `npm pack` makes installs into a fresh project outside this repository, beside
# the app's own xstate (the lowest version the peer range allows) with one copy of it;
# `createActor(callSessionMachine)` type-checks there against the app's xstate; it
# imports and runs a session, imports each SDK binding with no SDK installed, runs its
# command (replay, a self-contained inspect --out report, live mode refusing clearly
# without the optional ws), imports the main entry where React cannot be found, runs
# call-session-machine/react on React 18 and 19 under StrictMode, and brings no runtime
# dependency (xstate is a peer).
set -euo pipefail
cd "$(dirname "$0")/.."
out=.tmp/package-check
rm -rf "$out" && mkdir -p "$out"
demo="$PWD/examples/demo.jsonl"
lowest_xstate=$(node -p "require('./package.json').peerDependencies.xstate.replace(/^\\^/, '')")
tsc="$PWD/node_modules/.bin/tsc"
react19=$(node -p "require('./package.json').devDependencies.react")
happy_dom=$(node -p "require('./package.json').devDependencies['happy-dom']")

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
// Without its optional peers bullmq and ioredis, call-session-machine/durable imports, and
// creating a fleet says what to install.
const durable = await import('call-session-machine/durable');
const refused = await durable.createDurableFleet({ connection: 'redis://127.0.0.1:1' }).then(() => null, (error) => error);
if (!/npm install bullmq ioredis/.test(String(refused?.message))) {
  console.error('packed call-session-machine/durable without bullmq:', refused);
  process.exit(1);
}
console.log('packed package: call-session-machine/durable imports without bullmq and ioredis, and asks for them');
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
# call-session-machine/server needs no provider SDK: it imports, answers /healthz and refuses an
# unsigned webhook; `serve --help` prints its usage; `serve --redis` without bullmq/ioredis
# exits 3 saying what to install.
cat > server.mjs <<'JS'
import { createSessionServer } from 'call-session-machine/server';
const server = createSessionServer({ provider: 'livekit', livekit: { apiKey: 'k', apiSecret: 's', url: 'http://127.0.0.1:9' }, log: () => {} });
const health = await server.handle({ method: 'GET', url: '/healthz', headers: {}, body: Buffer.alloc(0) });
const unsigned = await server.handle({ method: 'POST', url: '/webhooks/livekit', headers: {}, body: Buffer.from('{}') });
await server.close();
if (health.status !== 200 || unsigned.status !== 401) {
  console.error('packed call-session-machine/server misbehaves:', health, unsigned);
  process.exit(1);
}
console.log('packed package: call-session-machine/server imports with no provider SDK, answers /healthz, refuses an unsigned webhook');
JS
node server.mjs
npx --no-install call-session-machine serve --help | grep -q -- '--provider livekit|daily|twilio'
set +e
LIVEKIT_API_KEY=k LIVEKIT_API_SECRET=s LIVEKIT_URL=http://127.0.0.1:9 timeout 30 npx --no-install call-session-machine serve --provider livekit --port 0 --redis redis://127.0.0.1:1 > /dev/null 2> serve-redis.err
serve_redis=$?
set -e
if [ "$serve_redis" != 3 ] || ! grep -q 'npm install bullmq ioredis' serve-redis.err; then
  echo "serve --redis without bullmq must exit 3 saying what to install; got $serve_redis: $(cat serve-redis.err)" >&2
  exit 1
fi
echo 'packed package: serve --help prints its usage; serve --redis without bullmq exits 3 naming what to install'
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
# React is an optional peer too: the main entry loads where no React can be found, and
# only call-session-machine/react asks for it.
cat > without-react.mjs <<'JS'
let found = true;
try {
  import.meta.resolve('react');
} catch {
  found = false;
}
if (found) {
  console.error('react resolves from the scratch project; the check would prove nothing');
  process.exit(1);
}
const { createCallSession } = await import('call-session-machine');
createCallSession().dispose();
try {
  await import('call-session-machine/react');
  console.error('call-session-machine/react loaded with no React installed');
  process.exit(1);
} catch (error) {
  if (!String(error).includes("'react'")) throw error;
}
console.log('packed package: the main entry imports with no React installed; call-session-machine/react asks for react');
JS
node without-react.mjs

# call-session-machine/react on each React major the peer range allows: 18.3.1, then the
# 19 the repository tests with, in this project (with happy-dom for a DOM), after every
# check that needs React, the SDKs and ws absent.
cat > react.mjs <<'JS'
import { Window } from 'happy-dom';
const window = new Window();
Object.assign(globalThis, { window, document: window.document, navigator: window.navigator, IS_REACT_ACT_ENVIRONMENT: true });
const React = await import('react');
const { createRoot } = await import('react-dom/client');
const { CallSession, SessionSettingsBuilder } = await import('call-session-machine');
const { useCallSession, useCountdown, useCreateCallSession } = await import('call-session-machine/react');
const { SimulatedClock } = await import('xstate');
const { act, createElement: h, StrictMode, useEffect } = React;
const fail = (message) => {
  console.error(`call-session-machine/react on react@${React.version}: ${message}`);
  process.exit(1);
};
// Every session made, through the public inspect option: a render React threw away counts too.
const actors = new Set();
const inspect = (event) => event.type === '@xstate.actor' && actors.add(event.actorRef);
const live = () => [...actors].filter((actor) => actor.getSnapshot().status === 'active');
const clock = new SimulatedClock();
const settings = new SessionSettingsBuilder().setIdleTimeoutPeriod(20).setIdleWarningPeriod(10).build();
let held;
function Screen() {
  const session = useCreateCallSession({ settings, clock, inspect });
  held = session;
  const { state, deadlines, idleWarningActive } = useCallSession(session);
  const secondsLeft = useCountdown(deadlines.idle, { now: () => clock.now() });
  useEffect(() => {
    session.join('packed');
    session.send({ type: 'session.joined' });
  }, [session]);
  return h('p', null, `${state} ${idleWarningActive ? 'warning' : ''} ${secondsLeft ?? ''}`);
}
const container = document.createElement('div');
const root = createRoot(container);
act(() => root.render(h(StrictMode, null, h(Screen))));
if (held.actor.getSnapshot().status !== 'active') fail('the component holds a disposed session');
if (CallSession.getInstance() !== held) fail('CallSession.getInstance() is not the held session');
if (live().length !== 1) fail(`${live().length} live sessions of ${actors.size} made`);
if (container.textContent !== 'joined.alone  20') fail(`shows "${container.textContent}"`);
act(() => clock.increment(10_000));
if (container.textContent !== 'joined.alone warning 10') fail(`after the warning, shows "${container.textContent}"`);
await new Promise((resolve) => setTimeout(resolve, 0));
act(() => root.unmount());
if (held.actor.getSnapshot().status !== 'stopped' || live().length !== 0) fail('unmount did not dispose the session');
console.log(
  `packed package: call-session-machine/react on react@${React.version} under StrictMode: ` +
    `${actors.size} session(s) made, one live and held; a timer re-renders; unmount disposes`,
);
JS
for react in 18.3.1 "$react19"; do
  npm install --silent --no-audit --no-fund "react@$react" "react-dom@$react" "happy-dom@$happy_dom"
  node react.mjs
done

deps=$(node -p "Object.keys(require('./node_modules/call-session-machine/package.json').dependencies || {}).join(',')")
if [ -n "$deps" ]; then echo "the package must have no runtime dependency (xstate is a peer); got: $deps" >&2; exit 1; fi
echo "packed package: no runtime dependency; xstate is a peer dependency"
