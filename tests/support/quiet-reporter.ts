// vitest's default reporter without the Worker's own log lines. The Worker writes one JSON line per
// request (decision 023); thousands of them would bury what tests print on purpose, such as the
// reliability suites' "tried" counts. The secret scan still reads every line (secret-scan-reporter.ts).
import type { UserConsoleLog } from "vitest";
import { DefaultReporter } from "vitest/node";

const WORKER_LOG_LINE = /^\{"level":"(debug|info|warn|error)"/;

export class QuietDefaultReporter extends DefaultReporter {
  override onUserConsoleLog(
    log: UserConsoleLog,
    taskState?: Parameters<DefaultReporter["onUserConsoleLog"]>[1],
  ): void {
    if (WORKER_LOG_LINE.test(log.content)) return;
    super.onUserConsoleLog(log, taskState);
  }
}
