/**
 * What the inspector page is given, as JSON in its `<script id="csm-data">`: a log to
 * replay (a report, or `inspect log.jsonl`), or the live mode's address.
 */
import type { InspectorStep } from './protocol.js';

export type PageData =
  | {
      readonly mode: 'report';
      /** The log's file name, shown in the header. */
      readonly source: string;
      /** The log's text, replayed in the page by the package itself. */
      readonly log: string;
    }
  | {
      readonly mode: 'live';
      /** Where apps connect: `ws://127.0.0.1:PORT`. */
      readonly appUrl: string;
      /** Where the page reads the live messages (server-sent events), relative to the page. */
      readonly events: string;
    };

/** The id of the `<script type="application/json">` holding the page data. */
export const PAGE_DATA_ID = 'csm-data';

/** One message of the live event stream the server sends the page. */
export type LiveMessage =
  | {
      readonly kind: 'step';
      /** Which app connection it came from: 1, 2, … */
      readonly connection: number;
      readonly step: InspectorStep;
    }
  | {
      readonly kind: 'connection';
      readonly connection: number;
      readonly open: boolean;
      readonly origin: string | null;
    };
