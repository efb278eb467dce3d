/**
 * The chart as the inspector page draws it: every state node and transition of
 * `callSessionMachine` with the coordinates ELK gave them. Computed at build time from
 * the machine (scripts/inspectorLayout.ts, `npm run docs`) and committed as
 * `src/inspector/page/layout.json`, so that the page carries only numbers and draws the
 * SVG itself; `test/inspectorLayout.test.ts` fails when the file and the chart differ.
 */

/** A point in the chart's coordinate space (pixels, origin top left). */
export interface Point {
  readonly x: number;
  readonly y: number;
}

/** A box in the chart's coordinate space. */
export interface Box extends Point {
  readonly width: number;
  readonly height: number;
}

/**
 * What a node of the drawing is: a state (`atomic`, `compound`, `final`), the history
 * pseudostate, or the dot an initial transition starts from.
 */
export type ChartNodeKind = 'atomic' | 'compound' | 'final' | 'history' | 'initial';

/** A transition without a target: it runs its actions and stays, drawn inside its state. */
export interface InternalTransition {
  /** The transition's key (see {@link ChartEdge.transition}). */
  readonly transition: string;
  /** Lines of text: the event, then the guard in brackets. */
  readonly lines: readonly string[];
}

/** One node of the drawing. */
export interface ChartNode extends Box {
  /** The state node's id (`callSession.joined.alone`), or `<parent id>.(initial)` for an initial dot. */
  readonly id: string;
  readonly kind: ChartNodeKind;
  /** The state's key (`alone`), `H` for history, empty for an initial dot. */
  readonly label: string;
  /** The `session.state` values this node is active in (`joined` is active in both `joined.*`). */
  readonly states: readonly string[];
  /** Its transitions without a target, listed inside the box. */
  readonly internal: readonly InternalTransition[];
}

/** What an edge of the drawing stands for. */
export type ChartEdgeKind = 'event' | 'after' | 'initial' | 'history';

/** One edge of the drawing: one target of one transition. */
export interface ChartEdge {
  /** Unique in the drawing. */
  readonly id: string;
  /**
   * The key of the chart transition it draws, `<source id>#<event type>#<index among that
   * event's candidates>`, as the inspector's messages name the transitions taken; empty
   * for initial and history-default edges, which no event takes.
   */
  readonly transition: string;
  readonly kind: ChartEdgeKind;
  readonly source: string;
  readonly target: string;
  /** Lines of the label: the event (`after idleTimeoutPeriod`), then the guard in brackets. */
  readonly lines: readonly string[];
  /** The route: start, bends, end. */
  readonly points: readonly Point[];
  /** Where the label goes; absent for an unlabelled edge. */
  readonly label?: Box;
}

/** The whole drawing. */
export interface ChartLayout {
  readonly machine: string;
  readonly width: number;
  readonly height: number;
  /** The font the label sizes were computed for (monospace, so a width is characters × advance). */
  readonly font: {
    readonly family: string;
    readonly size: number;
    readonly advance: number;
    readonly lineHeight: number;
  };
  readonly nodes: readonly ChartNode[];
  readonly edges: readonly ChartEdge[];
}
