import { index, layout, type RouteConfig, route } from "@react-router/dev/routes";

export default [
  route("theme", "routes/theme.tsx"),
  route("search", "routes/search.tsx"),
  route("preferences", "routes/preferences.tsx"),
  route("views", "routes/views.tsx"),
  layout("routes/shell.tsx", [
    index("routes/queue.tsx"),
    route("dashboard", "routes/dashboard.tsx"),
    route("notifications", "routes/notifications.tsx"),
    route("alerts", "routes/alerts.tsx"),
    route("alerts/:alertId", "routes/alert.tsx"),
    route("admin/people", "routes/admin-people.tsx"),
    route("admin/clients", "routes/admin-clients.tsx"),
    route("admin/connectors", "routes/admin-connectors.tsx"),
    route("admin/connectors/:connectorId", "routes/admin-connector.tsx"),
    route("admin/sinks", "routes/admin-sinks.tsx"),
    route("admin/sinks/:sinkId", "routes/admin-sink.tsx"),
    route("admin/sla", "routes/admin-sla.tsx"),
    route("admin/audit", "routes/admin-audit.tsx"),
    route("cases/:caseId", "routes/case.tsx"),
    route("cases/:caseId/alerts/:alertId", "routes/case-alert.tsx"),
    route("cases/:caseId/enrichment", "routes/case-enrichment.tsx"),
  ]),
] satisfies RouteConfig;
