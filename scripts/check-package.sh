#!/usr/bin/env bash
# Proves the published package works: publint and attw find no problem, and the
# tarball `npm pack` makes installs into a fresh project outside this repository, beside
# the app's own xstate (the lowest version the peer range allows) with one copy of it;
# `createActor(callSessionMachine)` type-checks there against the app's xstate; it
# imports and runs a session, imports each SDK binding with no SDK installed, runs its
# command (replay, a self-contained inspect --out report, live mode refusing clearly
# without the optional ws), imports the main entry where React cannot be found, runs
# call-session-machine/react on React 18 and 19 under StrictMode, imports the main entry
# and the other subpaths where Vue cannot be found, mounts call-session-machine/vue on
# the lowest Vue 3 the peer range allows and on the tested one, and brings no runtime
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
lowest_vue=$(node -p "require('./package.json').peerDependencies.vue.replace(/^\\^/, '')")
vue_tested=$(node -p "require('./package.json').devDependencies.vue")

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
# Every binding loads with its SDK absent and refuses a wrong object by name.
cat > bindings.mjs <<'JS'
import { createCallSession } from 'call-session-machine';
const BINDINGS = [
  ['livekit-client', 'livekit', 'bindLiveKitRoom'],
  ['twilio-video', 'twilio', 'bindTwilioRoom'],
  ['@daily-co/daily-js', 'daily', 'bindDailyCall'],
  ['@stream-io/video-client', 'stream', 'bindStreamCall'],
  ['agora-rtc-sdk-ng', 'agora', 'bindAgoraClient'],
  ['@zoom/videosdk', 'zoom', 'bindZoomClient'],
  ['@opentok/client', 'vonage', 'bindVonageSession'],
];
for (const [sdk, subpath, name] of BINDINGS) {
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
  const bind = (await import(`call-session-machine/${subpath}`))[name];
  if (typeof bind !== 'function') {
    console.error(`call-session-machine/${subpath} does not export ${name}`);
    process.exit(1);
  }
  const session = createCallSession();
  try {
    bind({}, session);
    console.error(`${name} bound a plain object`);
    process.exit(1);
  } catch (error) {
    if (!(error instanceof TypeError) || !error.message.startsWith(`${name}: `)) throw error;
  }
  session.dispose();
}
console.log(`packed package: ${BINDINGS.map(([, subpath]) => `/${subpath}`).join(', ')} import with no SDK installed and refuse a wrong object`);
// The SDK drivers for tests import their SDK (Daily's when a call object is made): without
// it, the error names it.
for (const [subpath, sdk] of [['livekit', 'livekit-client'], ['twilio', 'twilio-video']]) {
  try {
    await import(`call-session-machine/testing/${subpath}`);
    console.error(`call-session-machine/testing/${subpath} loaded with no ${sdk} installed`);
    process.exit(1);
  } catch (error) {
    if (!String(error).includes(sdk) && !String(error).includes('@livekit/protocol')) throw error;
  }
}
const dailyDriver = await import('call-session-machine/testing/daily');
if (typeof dailyDriver.createDailyCall !== 'function') {
  console.error('call-session-machine/testing/daily does not export createDailyCall');
  process.exit(1);
}
console.log('packed package: call-session-machine/testing/livekit and /twilio ask for their SDK; /testing/daily imports');
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
# Vue likewise: where no Vue can be found the main entry and every other subpath load,
# and only call-session-machine/vue asks for it.
cat > without-vue.mjs <<'JS'
let found = true;
try {
  import.meta.resolve('vue');
} catch {
  found = false;
}
if (found) {
  console.error('vue resolves from the scratch project; the check would prove nothing');
  process.exit(1);
}
const { createCallSession } = await import('call-session-machine');
createCallSession().dispose();
// Every subpath but those whose peer is the framework itself, and the SDK drivers (which
// import their SDK: checked above).
const { exports } = (await import('call-session-machine/package.json', { with: { type: 'json' } })).default;
const needsItsPeer = ['./vue', './react', './testing/livekit', './testing/twilio', './package.json'];
for (const subpath of Object.keys(exports).filter((key) => key !== '.' && !needsItsPeer.includes(key))) {
  await import(`call-session-machine/${subpath.slice(2)}`);
}
try {
  await import('call-session-machine/vue');
  console.error('call-session-machine/vue loaded with no Vue installed');
  process.exit(1);
} catch (error) {
  if (!String(error).includes("'vue'")) throw error;
}
console.log('packed package: the main entry and the other subpaths import with no Vue installed; call-session-machine/vue asks for vue');
JS
node without-vue.mjs

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
const { useCallBinding, useCallSession, useCountdown, useCreateCallSession } = await import('call-session-machine/react');
if (typeof useCallBinding !== 'function') fail('useCallBinding is not exported');
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
// Disposed in a microtask (StrictMode and Fast Refresh set the effect up again first), before any timer.
await new Promise((resolve) => setTimeout(resolve, 0));
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

# call-session-machine/vue on the lowest Vue the peer range allows, then the one the
# repository tests with: a component from the tarball mounted with createApp under
# happy-dom (no test-utils), re-rendered by a timer, disposing its session on unmount.
cat > vue.mjs <<'JS'
import { Window } from 'happy-dom';
const window = new Window();
Object.assign(globalThis, { window, document: window.document, navigator: window.navigator });
// Vue's DOM renderer reads these globals (container instanceof SVGElement, …).
for (const name of ['Node', 'Element', 'HTMLElement', 'SVGElement', 'MathMLElement']) {
  if (window[name]) globalThis[name] = window[name];
}
const { createApp, defineComponent, h, nextTick, version } = await import('vue');
const { CallSession, SessionSettingsBuilder } = await import('call-session-machine');
const { useCallSession, useCountdown, useCreateCallSession } = await import('call-session-machine/vue');
const { SimulatedClock } = await import('xstate');
const fail = (message) => {
  console.error(`call-session-machine/vue on vue@${version}: ${message}`);
  process.exit(1);
};
const clock = new SimulatedClock();
const settings = new SessionSettingsBuilder().setIdleTimeoutPeriod(20).setIdleWarningPeriod(10).build();
let held;
const Screen = defineComponent({
  setup() {
    const session = useCreateCallSession({ settings, clock });
    held = session;
    const view = useCallSession(session);
    const secondsLeft = useCountdown(() => view.value.deadlines.idle, { now: () => clock.now() });
    session.join('packed');
    session.send({ type: 'session.joined' });
    return () => h('p', `${view.value.state} ${view.value.idleWarningActive ? 'warning' : ''} ${secondsLeft.value ?? ''}`);
  },
});
const container = document.createElement('div');
const app = createApp(Screen);
app.mount(container);
if (CallSession.getInstance() !== held) fail('CallSession.getInstance() is not the held session');
if (container.textContent !== 'joined.alone  20') fail(`shows "${container.textContent}"`);
clock.increment(10_000);
await nextTick();
if (container.textContent !== 'joined.alone warning 20') fail(`at the warning, shows "${container.textContent}"`);
// The countdown ticks on the global timers and reads the session's clock when it does.
await new Promise((resolve) => setTimeout(resolve, 1_100));
await nextTick();
if (container.textContent !== 'joined.alone warning 10') fail(`a second later, shows "${container.textContent}"`);
app.unmount();
if (held.actor.getSnapshot().status !== 'stopped') fail('unmount did not dispose the session');
try {
  useCallSession(held);
  fail('useCallSession outside a scope did not throw');
} catch (error) {
  if (!/effectScope/.test(String(error))) throw error;
}
console.log(`packed package: call-session-machine/vue on vue@${version}: a session timer and the countdown re-render; unmount disposes`);
JS
for vue in "$lowest_vue" "$vue_tested"; do
  npm install --silent --no-audit --no-fund "vue@$vue" "happy-dom@$happy_dom"
  node vue.mjs
done

deps=$(node -p "Object.keys(require('./node_modules/call-session-machine/package.json').dependencies || {}).join(',')")
if [ -n "$deps" ]; then echo "the package must have no runtime dependency (xstate is a peer); got: $deps" >&2; exit 1; fi
echo "packed package: no runtime dependency; xstate is a peer dependency"
