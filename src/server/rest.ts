/** The providers' REST calls: plain `fetch`, a timeout, and a retry on what a retry can fix. */

/** A provider's REST API answered with an error, or could not be reached. */
export class ProviderApiError extends Error {
  override readonly name = 'ProviderApiError';
  constructor(
    message: string,
    /** The HTTP status, or 0 when the API could not be reached. */
    readonly status: number,
  ) {
    super(message);
  }
}

export type FetchLike = (url: string, init: RequestInit) => Promise<Response>;

export interface RestOptions {
  readonly fetch: FetchLike;
  /** Per attempt; default 5 s. */
  readonly timeoutMs?: number;
  /** Attempts for a transport error or a 5xx; default 3 (0.2 s, then 0.6 s apart). */
  readonly attempts?: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

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
  { notFoundIsNull = false }: { notFoundIsNull?: boolean } = {},
): Promise<unknown> {
  const attempts = options.attempts ?? 3;
  let lastError: ProviderApiError | undefined;
  for (let attempt = 0; attempt < attempts; attempt++) {
    if (attempt > 0) await sleep(200 * 3 ** (attempt - 1));
    let response: Response;
    try {
      response = await options.fetch(url, { ...init, signal: AbortSignal.timeout(options.timeoutMs ?? 5_000) });
    } catch (error) {
      lastError = new ProviderApiError(
        `${what}: the API could not be reached (${(error as Error).name}: ${(error as Error).message})`,
        0,
      );
      continue;
    }
    const text = await response.text().catch(() => '');
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
