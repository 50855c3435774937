// Cron entry point: safety nets only. Normal SLA handling is each case object's own alarm.
import { casesWithOverdueTimers } from "../domain/case/sweep.ts";

export async function runScheduled(env: Env, now: number): Promise<{ rearmed: number; failed: number }> {
  const overdue = await casesWithOverdueTimers(env.CONTROL_DB, now);
  const results = await Promise.allSettled(
    overdue.map(({ tenantId, caseId }) => env.CASES.getByName(`${tenantId}:${caseId}`).ensureAlarm()),
  );
  const failed = results.filter((r) => r.status === "rejected").length;
  console.log(JSON.stringify({ level: "info", msg: "sla sweep", overdue: overdue.length, failed }));
  return { rearmed: overdue.length - failed, failed };
}
