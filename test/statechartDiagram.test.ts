import { readFileSync } from 'node:fs';
import { expect, test } from 'vitest';
import { createMachine } from 'xstate';
import { callSessionMachine } from '../src/index.js';
import {
  readmeWithStatechart,
  renderStatechart,
  STATECHART_DOC_PATH,
  statechartDocument,
} from '../scripts/statechartDiagram.js';

const read = (path: string) => readFileSync(new URL(`../${path}`, import.meta.url), 'utf8');

test(`${STATECHART_DOC_PATH} is what npm run docs generates from the chart now`, () => {
  expect(read(STATECHART_DOC_PATH)).toBe(statechartDocument(callSessionMachine));
});

test('the README shows the same generated diagram', () => {
  const readme = read('README.md');
  expect(readme).toBe(readmeWithStatechart(readme, callSessionMachine));
});

test('the diagram names every state, history, final state, event, guard and delay of SPEC §2', () => {
  const diagram = renderStatechart(callSessionMachine);
  for (const state of ['idle', 'joining', 'joined', 'alone', 'accompanied', 'reconnecting']) {
    expect(diagram).toMatch(new RegExp(`\\b${state}\\b`));
  }
  for (const final of ['left', 'timedOut', 'closed']) expect(diagram).toContain(`${final} --> [*]`);
  expect(diagram).toContain('state "H" as');
  for (const event of [
    'session.join',
    'session.joined',
    'session.joinFailed',
    'session.leave',
    'session.removed',
    'participant.joined',
    'participant.left',
    'connection.lost',
    'connection.restored',
    'connection.closed',
  ]) {
    expect(diagram).toContain(` : ${event}`);
  }
  expect(diagram).toContain('alone --> timedOut : after idleTimeoutPeriod');
  expect(diagram).toContain('reconnecting --> closed : after reconnectTimeoutPeriod');
  expect(diagram).toMatch(/joining --> accompanied : session\.joined \[hasRemoteParticipant\]/);
});

test('a chart change shows in the diagram, so the drift test can fail', () => {
  const config = callSessionMachine.config;
  const changed = createMachine(
    {
      ...config,
      states: { ...config.states, idle: { on: { ...config.states!.idle!.on, 'session.ping': 'joining' } } },
    } as never,
    callSessionMachine.implementations as never,
  );
  expect(statechartDocument(changed)).not.toBe(read(STATECHART_DOC_PATH));
  expect(renderStatechart(changed)).toContain('idle --> joining : session.ping');
});
