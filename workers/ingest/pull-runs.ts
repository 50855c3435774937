// A scheduled pull of one connector (Cisco AI Defense, Microsoft 365), kept on the connector as its
// last run: what the connector's page shows, and the Retry-After the next run honours.
import { recordPullRun } from "../../domain/connectors/pull-cursor.ts";

interface RunOutcome {
  connectorId: string;
  status: string;
  cursor: unknown;
  redelivered: number;
  retryAfter?: number;
}

/**
 * Runs `pull` for one connector and records what it came to. A run that throws is a failed run: its
 * cursor stays where it was, and the other connectors still get theirs. A run that asked nothing
 * (skipped, or still waiting out a Retry-After) leaves the previous record showing.
 */
export async function recordedPull<O extends RunOutcome>(
  env: Env,
  connectorId: string,
  now: number,
  pull: () => Promise<O>,
  failed: (error: string) => O,
): Promise<O> {
  let outcome: O;
  try {
    outcome = await pull();
  } catch (error) {
    outcome = failed(String(error));
  }
  if (outcome.status !== "skipped" && outcome.status !== "waiting") {
    const { connectorId: _id, cursor: _cursor, redelivered: _r, retryAfter: _ra, ...run } = outcome;
    await recordPullRun(env.CONTROL_DB, connectorId, { at: now, ...run }).catch((error: unknown) =>
      console.error(
        JSON.stringify({
          level: "error",
          msg: "pull run not recorded",
          connector: connectorId,
          error: String(error),
        }),
      ),
    );
  }
  return outcome;
}
