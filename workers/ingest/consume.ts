// The ingest queue (issue 18, decision 051). It carries only the local queue-send probe so far
// (workers/probes/routes.ts), which is acknowledged and nothing else.
import { z } from "zod";

const probeMessage = z.object({ probe: z.literal(true) });

export async function consumeIngest(batch: MessageBatch<unknown>): Promise<void> {
  for (const message of batch.messages) {
    if (!probeMessage.safeParse(message.body).success) {
      // Nothing else sends here yet; a body Phoenix cannot read would fail every retry.
      console.error(
        JSON.stringify({ level: "error", msg: "unreadable ingest message dropped", id: message.id }),
      );
    }
    message.ack();
  }
}
