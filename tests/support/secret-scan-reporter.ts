// A vitest reporter that reads every console line the suite produced (test code and the Worker
// alike) and fails the run if any secret shows up: the configured secrets by value, and anything
// shaped like a credential (webhook and client secrets, JWTs, session cookies) by pattern.
import type { UserConsoleLog } from "vitest";
import type { Reporter, TestModule } from "vitest/node";

const CREDENTIAL_PATTERNS: Array<[string, RegExp]> = [
  ["webhook signing secret", /whsec_[A-Za-z0-9+/=_-]{16,}/],
  ["machine client secret", /pcs_[A-Za-z0-9_-]{16,}/],
  ["JWT", /eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/],
  ["session cookie", /__Host-phoenix_session=[^;\s]{8,}/],
  ["private JWK", /"d"\s*:\s*"[A-Za-z0-9_-]{20,}"/],
];

export class SecretScanReporter implements Reporter {
  private lines = 0;
  private readonly leaks: string[] = [];

  private readonly secrets: Record<string, string>;

  /** `secrets` are exact values that must never be printed (names are used in the report). */
  constructor(secrets: Record<string, string>) {
    this.secrets = secrets;
  }

  onUserConsoleLog(log: UserConsoleLog): void {
    this.lines++;
    for (const [name, value] of Object.entries(this.secrets)) {
      if (value.length >= 8 && log.content.includes(value)) this.leak(name, log);
    }
    for (const [name, pattern] of CREDENTIAL_PATTERNS) {
      if (pattern.test(log.content)) this.leak(name, log);
    }
  }

  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    // An empty capture would mean the scan saw nothing, not that nothing leaked.
    const summary = `secret scan: log lines captured: ${this.lines}, test files: ${testModules.length}, secrets found: ${this.leaks.length}`;
    console.log(summary);
    if (this.leaks.length > 0) {
      console.error(`secrets leaked into logs:\n${this.leaks.join("\n")}`);
      process.exitCode = 1;
    }
  }

  private leak(name: string, log: UserConsoleLog): void {
    // Name the secret and where it was printed, never the value.
    this.leaks.push(`  ${name} in a ${log.type} line of ${log.taskId ?? "a test file"}`);
  }
}
