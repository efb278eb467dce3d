// The inspector page draws the chart from src/inspector/page/layout.json, which
// `npm run docs` computes from `callSessionMachine` with ELK. This fails when the file and
// the chart differ, as test/statechartDiagram.test.ts does for the Mermaid diagram.
import { readFileSync } from 'node:fs';
import { expect, test } from 'vitest';
import { createMachine } from 'xstate';
import { callSessionMachine } from '../src/index.js';
import type { ChartLayout } from '../src/inspector/layout.js';
import { transitionKey } from '../src/inspector/protocol.js';
import { renderChartSvg } from '../src/inspector/page/chartSvg.js';
import { SESSION_STATES } from '../src/session/callSession.js';
import { chartLayoutFile, computeChartLayout, LAYOUT_PATH } from '../scripts/inspectorLayout.js';

const committedText = readFileSync(new URL(`../${LAYOUT_PATH}`, import.meta.url), 'utf8');
const committed = JSON.parse(committedText) as ChartLayout;

test(`${LAYOUT_PATH} is what npm run docs computes from the chart now`, async () => {
  expect(committedText).toBe(await chartLayoutFile(callSessionMachine));
});

test('every session.state value has exactly one box, and every box lies inside the drawing', () => {
  for (const state of SESSION_STATES) {
    const boxes = committed.nodes.filter((node) => node.kind !== 'compound' && node.states.includes(state));
    expect(boxes, state).toHaveLength(1);
  }
  expect(committed.nodes.find((node) => node.id === 'callSession.joined')).toMatchObject({
    kind: 'compound',
    states: ['joined.alone', 'joined.accompanied'],
  });
  expect(committed.nodes.filter((node) => node.kind === 'final').map((node) => node.label)).toEqual([
    'left',
    'timedOut',
    'closed',
  ]);
  expect(committed.nodes.filter((node) => node.kind === 'history').map((node) => node.id)).toEqual([
    'callSession.joined.previous',
  ]);
  for (const node of committed.nodes) {
    expect(node.x).toBeGreaterThanOrEqual(0);
    expect(node.y).toBeGreaterThanOrEqual(0);
    expect(node.x + node.width).toBeLessThanOrEqual(committed.width);
    expect(node.y + node.height).toBeLessThanOrEqual(committed.height);
  }
  // The substates are drawn inside their parent.
  const joined = committed.nodes.find((node) => node.id === 'callSession.joined')!;
  for (const child of committed.nodes.filter((node) => node.id.startsWith('callSession.joined.'))) {
    expect(child.x).toBeGreaterThan(joined.x);
    expect(child.y).toBeGreaterThan(joined.y);
    expect(child.x + child.width).toBeLessThan(joined.x + joined.width);
    expect(child.y + child.height).toBeLessThan(joined.y + joined.height);
  }
});

test('every transition of the chart is drawn once, under the key the inspector messages use, with its label', () => {
  const keys = new Set<string>();
  const walk = (node: typeof callSessionMachine.root): void => {
    for (const [eventType, candidates] of node.transitions)
      candidates.forEach((_, index) => keys.add(transitionKey(node.id, eventType, index)));
    for (const child of Object.values(node.states)) walk(child);
  };
  walk(callSessionMachine.root);
  const drawn = [
    ...committed.edges.map((edge) => edge.transition).filter(Boolean),
    ...committed.nodes.flatMap((node) => node.internal.map((entry) => entry.transition)),
  ];
  expect(new Set(drawn)).toEqual(keys);
  expect(drawn).toHaveLength(keys.size);
  const edge = (key: string) => committed.edges.find((candidate) => candidate.transition === key)!;
  expect(edge('callSession.joining#session.joined#0')).toMatchObject({
    lines: ['session.joined', '[hasRemoteParticipant]'],
    target: 'callSession.joined.accompanied',
  });
  expect(edge('callSession.joined.alone#xstate.after.idleTimeoutPeriod.callSession.joined.alone#0')).toMatchObject({
    kind: 'after',
    lines: ['after idleTimeoutPeriod', '[isIdleCountdownRunning]'],
    target: 'callSession.timedOut',
  });
  expect(edge('callSession.reconnecting#connection.restored#0').target).toBe('callSession.joined.previous');
  // Targetless: listed inside `joined`.
  expect(committed.nodes.find((node) => node.id === 'callSession.joined')!.internal).toEqual([
    { transition: 'callSession.joined#participant.left#1', lines: ['participant.left', '[isPresentParticipant]'] },
  ]);
  for (const drawnEdge of committed.edges) {
    expect(drawnEdge.points.length, drawnEdge.id).toBeGreaterThanOrEqual(2);
    if (drawnEdge.lines.length) expect(drawnEdge.label, drawnEdge.id).toBeDefined();
  }
});

test('the SVG has a box per state and an edge per drawn transition, with the machine text escaped', () => {
  const svg = renderChartSvg(committed);
  expect(svg.match(/class="node /g)).toHaveLength(committed.nodes.length);
  expect(svg.match(/class="edge /g)).toHaveLength(committed.edges.length);
  for (const label of [
    'idle',
    'joining',
    'joined',
    'alone',
    'accompanied',
    'reconnecting',
    'left',
    'timedOut',
    'closed',
  ]) {
    expect(svg).toContain(`>${label}</text>`);
  }
  const hostile = { ...committed, nodes: [{ ...committed.nodes[1]!, label: '<script>alert(1)</script>' }], edges: [] };
  expect(renderChartSvg(hostile)).not.toContain('<script>');
});

test('a chart change changes the layout, so the drift test can fail', async () => {
  const config = callSessionMachine.config;
  const changed = createMachine(
    {
      ...config,
      states: { ...config.states, idle: { on: { ...config.states!.idle!.on, 'session.ping': 'joining' } } },
    } as never,
    callSessionMachine.implementations as never,
  );
  const layout = await computeChartLayout(changed);
  expect(layout.edges.some((edge) => edge.transition === 'callSession.idle#session.ping#0')).toBe(true);
  expect(`${JSON.stringify(layout, null, 1)}\n`).not.toBe(committedText);
});
