// A cisco-xdr connector's settings, in one place: what an admin may set in `config` (pull tuning
// only, strict), and what a pull reads back once the xdr-pull endpoint has stored its credentials.
import { z } from "zod";
import { XDR_REGIONS } from "../../../connectors/xdr-pull.ts";

const pullTuning = {
  pageSize: z.int().min(1).max(200).optional(),
  // CTIA clamps search windows to one year.
  lookbackMinutes: z
    .int()
    .min(1)
    .max(365 * 24 * 60)
    .optional(),
};

/** What `config` may hold: the pull's client, password and cursor have their own write paths. */
export const ciscoXdrConfigSchema = z.strictObject({ pull: z.strictObject(pullTuning).optional() });

/**
 * Where the pull resumes: incidents whose `timestamp` (CTIM's last-modified time, the field both
 * search APIs sort on) is at or after `since`, except `seen`, the incidents already stored at exactly
 * `since` (ties on the boundary are fetched again by the inclusive range and skipped here).
 */
export const pullCursorSchema = z.object({
  since: z.iso.datetime({ offset: true }),
  seen: z.array(z.string()),
});
export type PullCursor = z.infer<typeof pullCursorSchema>;

/** `config.pull` as a pull reads it: the tuning above plus what xdr-pull stored. */
export const pullSettingsSchema = z.looseObject({
  region: z.enum(XDR_REGIONS),
  clientId: z.string().min(1),
  orgId: z.string().min(1),
  clientPasswordCiphertext: z.string().min(1),
  ...pullTuning,
  cursor: pullCursorSchema.nullable().optional(),
});

/**
 * `config` as a connector's view shows it (domain/connectors/service.ts publicConfig): the tuning,
 * and once xdr-pull stored them, who the pull signs in as and where it resumes; never the password.
 */
export const ciscoXdrConfigViewSchema = z.strictObject({
  pull: z
    .strictObject({
      ...pullTuning,
      region: z.enum(XDR_REGIONS).optional(),
      clientId: z.string().optional(),
      orgId: z.string().optional(),
      has_client_password: z.boolean().optional(),
      cursor: pullCursorSchema.nullable().optional(),
      lastRun: z
        .object({
          at: z.int(),
          status: z.string(),
          pages: z.int(),
          incidents: z.int(),
          accepted: z.int(),
          duplicates: z.int(),
          quarantined: z.int(),
          requests: z.int(),
          error: z.string().optional(),
          retryAt: z.int().optional(),
        })
        .optional()
        .describe("What the last scheduled pull came to (status as in the pull's outcome)."),
    })
    .optional(),
});
