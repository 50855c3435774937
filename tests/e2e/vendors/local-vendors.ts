// The workers project's second globalSetup: local Jira and Salesforce on one free loopback port,
// so the sink tests call the vendors' contracts over real HTTP (tests/e2e/vendors/*).
/// <reference path="../../support/local-vendors-context.d.ts" />
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { TestProject } from "vitest/node";
import { serveJira } from "./local-jira.ts";
import { serveSalesforce } from "./local-salesforce.ts";

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = createServer((req, res) => {
    (async () => {
      if (await serveJira(req, res)) return;
      if (await serveSalesforce(req, res)) return;
      res.writeHead(404);
      res.end();
    })().catch((error: unknown) => {
      res.writeHead(500, { "content-type": "text/plain" });
      res.end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  project.provide("vendorsUrl", `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  return async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
}
