/**
 * The inspector page's chart layout, computed from `callSessionMachine` itself with ELK
 * (layered, `INCLUDE_CHILDREN` so that edges cross into and out of `joined`). Runs at
 * build time only (`npm run docs` writes src/inspector/page/layout.json); elkjs is a dev
 * dependency and the page carries only the coordinates.
 */
import { createRequire } from 'node:module';
import type { ELK as ElkApi, ElkExtendedEdge, ElkNode } from 'elkjs/lib/elk-api.js';
import type { AnyStateMachine, AnyStateNode } from 'xstate';
import type {
  ChartEdge,
  ChartEdgeKind,
  ChartLayout,
  ChartNode,
  ChartNodeKind,
  InternalTransition,
  Point,
} from '../src/inspector/layout.js';
import { transitionKey } from '../src/inspector/protocol.js';
import { eventLabel, guardOf } from './statechartDiagram.js';

// elkjs is CommonJS; its types declare an ES default export that Node's ESM loader does not give.
const ELK = createRequire(import.meta.url)('elkjs/lib/elk.bundled.js') as new () => ElkApi;

export const LAYOUT_PATH = 'src/inspector/page/layout.json';

/** The page draws labels in this font; a monospace font makes a label's width computable here. */
export const CHART_FONT = {
  family: "'DejaVu Sans Mono', Menlo, Consolas, 'Liberation Mono', monospace",
  size: 11,
  // DejaVu Sans Mono's advance is 0.602 em; a little more covers the other fonts listed.
  advance: 6.8,
  lineHeight: 14,
} as const;

const STATE_FONT_SIZE = 13;
const STATE_ADVANCE = (STATE_FONT_SIZE / CHART_FONT.size) * CHART_FONT.advance;

function textWidth(lines: readonly string[], advance: number = CHART_FONT.advance): number {
  return Math.max(0, ...lines.map((line) => line.length)) * advance;
}

function labelLines(eventType: string, transition: { guard?: unknown }): string[] {
  const guard = guardOf(transition);
  return guard ? [eventLabel(eventType), `[${guard}]`] : [eventLabel(eventType)];
}

function childrenOf(node: AnyStateNode): AnyStateNode[] {
  return Object.values(node.states) as AnyStateNode[];
}

/** The `session.state` values in which `node` is active. */
function statesOf(node: AnyStateNode): string[] {
  const path = node.path.join('.');
  if (node.type === 'history') return [];
  const leaves: string[] = [];
  const visit = (at: AnyStateNode): void => {
    const children = childrenOf(at).filter((child) => child.type !== 'history');
    if (children.length === 0) leaves.push(at.path.join('.'));
    else children.forEach(visit);
  };
  visit(node);
  return path === '' ? [] : leaves;
}

interface Pending {
  readonly edges: {
    id: string;
    transition: string;
    kind: ChartEdgeKind;
    source: string;
    target: string;
    lines: string[];
  }[];
  readonly kinds: Map<string, { kind: ChartNodeKind; label: string; states: string[]; internal: InternalTransition[] }>;
}

const PAD = { state: 12, compoundTop: 30 };

function elkNodeOf(node: AnyStateNode, pending: Pending): ElkNode {
  const children = childrenOf(node);
  const internal: InternalTransition[] = [];
  for (const [eventType, candidates] of node.transitions) {
    candidates.forEach((transition, index) => {
      const key = transitionKey(node.id, eventType, index);
      const targets: readonly AnyStateNode[] = transition.target ?? [];
      if (targets.length === 0) internal.push({ transition: key, lines: labelLines(eventType, transition) });
      targets.forEach((target, at) => {
        pending.edges.push({
          id: targets.length > 1 ? `${key}@${at}` : key,
          transition: key,
          kind: eventType.startsWith('xstate.after.') ? 'after' : 'event',
          source: node.id,
          target: target.id,
          lines: labelLines(eventType, transition),
        });
      });
    });
  }
  if (node.type === 'history') {
    pending.kinds.set(node.id, { kind: 'history', label: 'H', states: [], internal });
    const fallback = node.config.target;
    if (fallback) {
      const target = node.parent!.states[String(fallback)] as AnyStateNode | undefined;
      if (target) {
        pending.edges.push({
          id: `${node.id}#default`,
          transition: '',
          kind: 'history',
          source: node.id,
          target: target.id,
          lines: ['(no history yet)'],
        });
      }
    }
    return { id: node.id, width: 30, height: 30 };
  }
  const kind: ChartNodeKind = children.length ? 'compound' : node.type === 'final' ? 'final' : 'atomic';
  pending.kinds.set(node.id, { kind, label: node.key, states: statesOf(node), internal });
  const internalLines = internal.flatMap((entry) => entry.lines);
  if (children.length === 0) {
    const width = Math.max(
      textWidth([node.key], STATE_ADVANCE) + 2 * PAD.state,
      textWidth(internalLines) + 2 * PAD.state,
      96,
    );
    const height = 40 + (internalLines.length ? internalLines.length * CHART_FONT.lineHeight + 8 : 0);
    return { id: node.id, width: Math.ceil(width), height };
  }
  const elkChildren: ElkNode[] = [];
  if (node.initial) {
    const dot = `${node.id}.(initial)`;
    pending.kinds.set(dot, { kind: 'initial', label: '', states: [], internal: [] });
    elkChildren.push({ id: dot, width: 12, height: 12 });
    for (const target of node.initial.target as AnyStateNode[]) {
      pending.edges.push({
        id: `${dot}#start`,
        transition: '',
        kind: 'initial',
        source: dot,
        target: target.id,
        lines: [],
      });
    }
  }
  for (const child of children) elkChildren.push(elkNodeOf(child, pending));
  const top = PAD.compoundTop + (internalLines.length ? internalLines.length * CHART_FONT.lineHeight + 6 : 0);
  return {
    id: node.id,
    layoutOptions: { 'elk.padding': `[top=${top},left=16,bottom=16,right=16]` },
    children: elkChildren,
  };
}

const round = (value: number): number => Math.round(value * 10) / 10;

/** The layout of `machine`'s chart, as the page draws it. Deterministic: the same machine gives the same layout. */
export async function computeChartLayout(machine: AnyStateMachine): Promise<ChartLayout> {
  const pending: Pending = { edges: [], kinds: new Map() };
  const root = elkNodeOf(machine.root, pending);
  const elkEdges: ElkExtendedEdge[] = pending.edges.map((edge) => ({
    id: edge.id,
    sources: [edge.source],
    targets: [edge.target],
    labels: edge.lines.length
      ? [
          {
            text: edge.lines.join('\n'),
            width: Math.ceil(textWidth(edge.lines)) + 4,
            height: edge.lines.length * CHART_FONT.lineHeight,
          },
        ]
      : [],
  }));
  const graph: ElkNode = {
    ...root,
    layoutOptions: {
      'elk.algorithm': 'layered',
      // Left to right in the order the chart declares its states: idle, joining, joined,
      // reconnecting, then the final states, as SPEC §2 draws it.
      'elk.direction': 'RIGHT',
      'elk.hierarchyHandling': 'INCLUDE_CHILDREN',
      'elk.layered.cycleBreaking.strategy': 'MODEL_ORDER',
      'elk.layered.considerModelOrder.strategy': 'NODES_AND_EDGES',
      'elk.edgeRouting': 'ORTHOGONAL',
      'elk.edgeLabels.placement': 'CENTER',
      'elk.layered.nodePlacement.strategy': 'NETWORK_SIMPLEX',
      'elk.layered.spacing.nodeNodeBetweenLayers': '24',
      'elk.layered.spacing.edgeNodeBetweenLayers': '10',
      'elk.layered.spacing.edgeEdgeBetweenLayers': '8',
      'elk.spacing.nodeNode': '20',
      'elk.spacing.edgeEdge': '9',
      'elk.spacing.edgeLabel': '4',
      'elk.padding': '[top=16,left=16,bottom=16,right=16]',
      // Every coordinate relative to the chart, not to the enclosing state.
      'elk.json.shapeCoords': 'ROOT',
      'elk.json.edgeCoords': 'ROOT',
      'elk.randomSeed': '1',
    },
    edges: elkEdges,
  };
  const elk = new ELK();
  const laid = await elk.layout(graph);

  const nodes: ChartNode[] = [];
  const visit = (node: ElkNode): void => {
    for (const child of node.children ?? []) {
      const info = pending.kinds.get(child.id)!;
      nodes.push({
        id: child.id,
        kind: info.kind,
        label: info.label,
        states: info.states,
        internal: info.internal,
        x: round(child.x!),
        y: round(child.y!),
        width: round(child.width!),
        height: round(child.height!),
      });
      visit(child);
    }
  };
  visit(laid);
  const laidEdges = new Map<string, ElkExtendedEdge>();
  const collectEdges = (node: ElkNode): void => {
    for (const edge of node.edges ?? []) laidEdges.set(edge.id, edge);
    for (const child of node.children ?? []) collectEdges(child);
  };
  collectEdges(laid);
  const edges: ChartEdge[] = pending.edges.map((edge) => {
    const laidEdge = laidEdges.get(edge.id)!;
    const points: Point[] = [];
    for (const section of laidEdge.sections ?? []) {
      points.push(section.startPoint, ...(section.bendPoints ?? []), section.endPoint);
    }
    const label = laidEdge.labels?.[0];
    const drawn: ChartEdge = {
      ...edge,
      points: points.map((point) => ({ x: round(point.x), y: round(point.y) })),
    };
    return label?.x === undefined
      ? drawn
      : {
          ...drawn,
          label: { x: round(label.x), y: round(label.y!), width: round(label.width!), height: round(label.height!) },
        };
  });
  return {
    machine: machine.id,
    width: Math.ceil(laid.width!),
    height: Math.ceil(laid.height!),
    font: CHART_FONT,
    nodes,
    edges,
  };
}

/** The committed file's text: stable JSON, so that the drift test compares strings. */
export async function chartLayoutFile(machine: AnyStateMachine): Promise<string> {
  return `${JSON.stringify(await computeChartLayout(machine), null, 1)}\n`;
}
