// The connector kind contract lives in domain/ (the ingest service runs it); kinds import it here.
export * from "../../domain/ingest/kind.ts";
