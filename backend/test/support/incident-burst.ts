// A burst of incident creates against a running app, for shutdown-under-load tests: N requests
// at a fixed concurrency, a hook after the first K answers (to send a signal mid-burst), and
// every outcome kept so a test can count them and check what was stored.

export interface BurstOutcome {
  /** HTTP status, when an answer came back. */
  readonly status?: number;
  /** The problem `code` of an error answer. */
  readonly code?: string;
  /** The created incident's id (201). */
  readonly id?: string;
  /** Why no answer came back (the connection error's code, e.g. ECONNREFUSED). */
  readonly failure?: string;
}

export interface BurstOptions {
  readonly baseUrl: string;
  readonly accessToken: string;
  readonly total: number;
  readonly concurrency: number;
  /** Every incident of the burst has this title prefix, to find them in the database. */
  readonly titlePrefix: string;
  /** Called once, after this many answers or failures. */
  readonly midway?: { readonly after: number; readonly action: () => void };
}

function connectionFailure(e: unknown): string {
  let cause: unknown = e;
  // fetch wraps the socket error: TypeError('fetch failed') { cause: Error { code } }
  while (cause && typeof cause === 'object' && 'cause' in cause && cause.cause) cause = cause.cause;
  const code = (cause as { code?: string } | undefined)?.code;
  return code ?? (cause instanceof Error ? cause.message : String(cause));
}

async function createOne(options: BurstOptions, n: number): Promise<BurstOutcome> {
  try {
    const res = await fetch(`${options.baseUrl}/api/incidents`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${options.accessToken}` },
      body: JSON.stringify({ title: `${options.titlePrefix} ${n}`, impact: 2, urgency: 2 }),
    });
    const text = await res.text();
    let body: { id?: string; code?: string } = {};
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      // not JSON: the status says enough
    }
    return res.status === 201 ? { status: 201, id: body.id } : { status: res.status, code: body.code };
  } catch (e) {
    return { failure: connectionFailure(e) };
  }
}

export async function incidentBurst(options: BurstOptions): Promise<BurstOutcome[]> {
  const outcomes: BurstOutcome[] = [];
  let next = 0;
  let answered = 0;
  const worker = async (): Promise<void> => {
    while (next < options.total) {
      const n = next++;
      outcomes[n] = await createOne(options, n);
      if (++answered === options.midway?.after) options.midway.action();
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  return outcomes;
}

/** `{ '201': 180, '503': 2, 'ECONNREFUSED': 218 }`: each status (with its problem code) or failure. */
export function countOutcomes(outcomes: readonly BurstOutcome[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const o of outcomes) {
    const key =
      o.status === undefined ? String(o.failure) : o.code ? `${o.status} ${o.code}` : String(o.status);
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}
