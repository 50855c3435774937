// What tests/e2e/vendors/local-vendors.ts provides to the sink tests.
export {};

declare module "vitest" {
  interface ProvidedContext {
    /** The local Jira (/site/<name>/…) and Salesforce (/sf/<org>/…), http://127.0.0.1:<port>. */
    vendorsUrl: string;
  }
}
