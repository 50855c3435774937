// Every scenario, in the order the harness runs them. The bare route comes first: every other
// scenario is reported as a ratio to it. The one-binding-call routes follow it, and run with it.
import type { Scenario } from "../scenario.ts";
import { alertsList } from "./alerts-list.ts";
import { alertsListSeverity } from "./alerts-list-severity.ts";
import { batchIngest } from "./batch-ingest.ts";
import { oneD1Read, oneQueueSend } from "./binding-calls.ts";
import { caseCommand } from "./case-command.ts";
import { caseOpen } from "./case-open.ts";
import { casesList } from "./cases-list.ts";
import { casesListSla } from "./cases-list-sla.ts";
import { correlationStorm } from "./correlation-storm.ts";
import { fairness } from "./fairness.ts";
import { healthz } from "./healthz.ts";
import { reportScenarios } from "./reports.ts";
import { webhookSingle } from "./webhook-single.ts";
import { workbenchCase, workbenchCaseRendered } from "./workbench-case.ts";
import { workbenchDashboard, workbenchDashboardRendered } from "./workbench-dashboard.ts";
import { workbenchQueue, workbenchQueueRendered } from "./workbench-queue.ts";

export const BARE_ROUTE = healthz.name;
export const ONE_D1_READ = oneD1Read.name;
export const ONE_QUEUE_SEND = oneQueueSend.name;
/** Measured in every run, whatever --only selects: the figures everything else is read against. */
export const BASELINES = new Set([BARE_ROUTE, ONE_D1_READ, ONE_QUEUE_SEND]);

export const SCENARIOS: readonly Scenario[] = [
  healthz,
  oneD1Read,
  oneQueueSend,
  webhookSingle,
  batchIngest,
  caseOpen,
  caseCommand,
  correlationStorm,
  fairness,
  alertsList,
  alertsListSeverity,
  casesList,
  casesListSla,
  ...reportScenarios,
  workbenchDashboard,
  workbenchDashboardRendered,
  workbenchQueue,
  workbenchQueueRendered,
  workbenchCase,
  workbenchCaseRendered,
];
