// The secret scan must be able to fail: feed it lines the way vitest would and check what it finds.
import { afterEach, describe, expect, it, vi } from "vitest";
import { SecretScanReporter } from "../support/secret-scan-reporter.ts";

const line = (content: string) => ({ content, type: "stdout" as const, time: 0, size: 1, taskId: "t1" });

afterEach(() => {
  process.exitCode = undefined;
  vi.restoreAllMocks();
});

describe("secret scan reporter", () => {
  it("fails the run on a configured secret or a credential-shaped string, and names neither value", () => {
    const printed: string[] = [];
    vi.spyOn(console, "log").mockImplementation((m: string) => void printed.push(m));
    vi.spyOn(console, "error").mockImplementation((m: string) => void printed.push(m));
    const reporter = new SecretScanReporter({ SECRETS_ENCRYPTION_KEY: "c2VjcmV0LWtleS1ieXRlcw==" });
    reporter.onUserConsoleLog(line('{"msg":"request","status":200}'));
    reporter.onUserConsoleLog(line("oops c2VjcmV0LWtleS1ieXRlcw== in a log"));
    reporter.onUserConsoleLog(line("header whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"));
    reporter.onUserConsoleLog(line("Bearer eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJlLWJ5dGVz"));
    reporter.onTestRunEnd([]);
    expect(process.exitCode).toBe(1);
    const report = printed.join("\n");
    expect(report).toContain("log lines captured: 4");
    expect(report).toContain("secrets found: 3");
    expect(report).toContain("SECRETS_ENCRYPTION_KEY");
    expect(report).not.toContain("c2VjcmV0LWtleS1ieXRlcw==");
    expect(report).not.toContain("whsec_MfKQ");
  });

  it("passes a clean log", () => {
    vi.spyOn(console, "log").mockImplementation(() => undefined);
    const reporter = new SecretScanReporter({ SECRETS_ENCRYPTION_KEY: "c2VjcmV0LWtleS1ieXRlcw==" });
    reporter.onUserConsoleLog(line('{"msg":"request","status":401,"detail":"the token has expired"}'));
    reporter.onTestRunEnd([]);
    expect(process.exitCode).toBeUndefined();
  });
});
