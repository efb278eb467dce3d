/**
 * The providers' REST calls: node:http(s) with keep-alive (several times cheaper per call
 * than Node 20's `fetch`, which matters when a burst of deadlines comes due), a timeout,
 * and a retry on what a retry can fix. A `fetch` can be given instead.
 */
import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

/** A provider's REST API answered with an error, or could not be reached. */
export class ProviderApiError extends Error {
  /** `ProviderApiError`. */
  override readonly name = 'ProviderApiError';
  constructor(
    message: string,
    /** The HTTP status, or 0 when the API could not be reached. */
    readonly status: number,
  ) {
    super(message);
  }
}

/** What the REST calls need of an answer: the `fetch` Response's status and text. */
export interface ApiResponse {
  /** A 2xx status. */
  readonly ok: boolean;
  /** The HTTP status. */
  readonly status: number;
  /** The body. */
  text(): Promise<string>;
}

/** A `fetch`-shaped function: the global `fetch` fits. */
export type FetchLike = (url: string, init: RequestInit) => Promise<ApiResponse>;

/** A `fetch`-shaped call on node:http(s) with keep-alive agents of `sockets` connections each. */
export function nodeHttpFetch(sockets: number): FetchLike {
  const agents = {
    http: new HttpAgent({ keepAlive: true, maxSockets: sockets }),
    https: new HttpsAgent({ keepAlive: true, maxSockets: sockets }),
  };
  return (url, init) =>
    new Promise<ApiResponse>((resolve, reject) => {
      const target = new URL(url);
      const secure = target.protocol === 'https:';
      const body = typeof init.body === 'string' ? init.body : undefined;
      const headers: Record<string, string> = { ...(init.headers as Record<string, string>) };
      if (body !== undefined) headers['content-length'] = String(Buffer.byteLength(body));
      const req = (secure ? httpsRequest : httpRequest)(
        target,
        {
          method: init.method ?? 'GET',
          headers,
          agent: secure ? agents.https : agents.http,
          signal: init.signal ?? undefined,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('error', reject);
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            const status = res.statusCode ?? 0;
            resolve({ ok: status >= 200 && status < 300, status, text: () => Promise.resolve(text) });
          });
        },
      );
      req.on('error', reject);
      req.end(body);
    });
}

export interface RestOptions {
  readonly fetch: FetchLike;
  /** Shared by every call of one server: at most this many requests to the provider at once. */
  readonly limiter?: Limiter;
  /** Per attempt; default 5 s. */
  readonly timeoutMs?: number;
  /** Attempts for a transport error or a 5xx; default 3 (0.2 s, then 0.6 s apart). */
  readonly attempts?: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * At most `size` provider requests at once. A burst of deadlines (every room of a
 * meeting series alone at the same minute) would otherwise open thousands of requests
 * together, each timing out while waiting behind the others.
 */
export class Limiter {
  #running = 0;
  readonly #waiting: (() => void)[] = [];
  constructor(readonly size: number) {}

  /** `first`: ahead of the queue (the second half of an end, whose first half already waited). */
  async run<T>(work: () => Promise<T>, first = false): Promise<T> {
    if (this.#running >= this.size) {
      await new Promise<void>((resolve) => (first ? this.#waiting.unshift(resolve) : this.#waiting.push(resolve)));
    } else this.#running++;
    try {
      return await work();
    } finally {
      const next = this.#waiting.shift();
      if (next) next();
      else this.#running--;
    }
  }
}

/**
 * Sends one request and returns the parsed JSON body (or `null` when there is none).
 * `what` names the call in errors; neither the URL's credentials nor the headers are
 * ever put in an error message.
 */
export async function requestJson(
  options: RestOptions,
  what: string,
  url: string,
  init: RequestInit,
  {
    notFoundIsNull = false,
    first = false,
    once: single = false,
  }: { notFoundIsNull?: boolean; first?: boolean; once?: boolean } = {},
): Promise<unknown> {
  // An end is sent once: a retry after a timeout may be a second end of a call that was ended.
  const attempts = single ? 1 : (options.attempts ?? 3);
  let lastError: ProviderApiError | undefined;
  for (let attempt = 0; attempt < attempts; attempt++) {
    if (attempt > 0) await sleep(200 * 3 ** (attempt - 1));
    let response: ApiResponse;
    let text: string;
    const once = async () => {
      // The timeout runs from the request's start, not from its wait for a turn.
      const answer = await options.fetch(url, { ...init, signal: AbortSignal.timeout(options.timeoutMs ?? 5_000) });
      return { answer, body: await answer.text().catch(() => '') };
    };
    try {
      ({ answer: response, body: text } = await (options.limiter ? options.limiter.run(once, first) : once()));
    } catch (error) {
      lastError = new ProviderApiError(
        `${what}: the API could not be reached (${(error as Error).name}: ${(error as Error).message})`,
        0,
      );
      continue;
    }
    if (response.ok) {
      if (text === '') return null;
      try {
        return JSON.parse(text) as unknown;
      } catch {
        throw new ProviderApiError(`${what}: the API answered ${response.status} with a body that is not JSON`, 502);
      }
    }
    if (response.status === 404 && notFoundIsNull) return null;
    lastError = new ProviderApiError(
      `${what}: the API answered ${response.status} ${text.slice(0, 200)}`,
      response.status,
    );
    if (response.status < 500) break;
  }
  throw lastError!;
}
