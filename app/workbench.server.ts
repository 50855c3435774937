// How a workbench loader or action reaches Phoenix: the signed-in person from the session cookie,
// the principal for one tenant (the same grant rules as /v1), the CSRF check for form posts, and
// Phoenix's error vocabulary turned into route error responses the root boundary explains.
import { data, redirect } from "react-router";
import { requireCsrf } from "../domain/auth/csrf.ts";
import type { Principal } from "../domain/auth/principal.ts";
import { sessionPrincipal } from "../domain/auth/session-principal.ts";
import { resolveSession, type SignedIn } from "../domain/auth/sessions.ts";
import { ERROR_CODES, PhoenixError } from "../domain/errors.ts";
import { workbenchContext } from "./context.ts";

export interface WorkbenchArgs {
  request: Request;
  context: {
    get: (key: typeof workbenchContext) => { env: Env; signedIn?: Promise<SignedIn | null> | undefined };
  };
}

export function envOf(args: WorkbenchArgs): Env {
  return args.context.get(workbenchContext).env;
}

// The shell's loader and the page's loader run for the same request: the session is read once.
const sessions = new WeakMap<object, Promise<SignedIn | null>>();

export function signedInOrNull(args: WorkbenchArgs, now: number): Promise<SignedIn | null> {
  let signedIn = sessions.get(args.context);
  if (!signedIn) {
    signedIn = args.context.get(workbenchContext).signedIn ?? resolveSession(envOf(args), args.request, now);
    sessions.set(args.context, signedIn);
  }
  return signedIn;
}

/** The signed-in person, or a redirect to sign in that brings them back here afterwards. */
export async function requireSignedIn(args: WorkbenchArgs, now: number): Promise<SignedIn> {
  const signedIn = await signedInOrNull(args, now);
  if (signedIn) return signedIn;
  const url = new URL(args.request.url);
  throw redirect(`/auth/login?return_to=${encodeURIComponent(url.pathname + url.search)}`);
}

/** The person as the principal of `tenantId`: a tenant without a grant is a 404, as in /v1. */
export function principalIn(signedIn: SignedIn, tenantId: string): Principal {
  return sessionPrincipal(signedIn, tenantId);
}

/** Where a form asks to return to: a path on this site, never an open redirect; else the queue. */
export function localPath(back: FormDataEntryValue | null): string {
  return typeof back === "string" && back.startsWith("/") && !back.startsWith("//") ? back : "/";
}

/** A form post must carry the session's CSRF token and come from this origin. */
export function requireFormCsrf(request: Request, signedIn: SignedIn, form: FormData): void {
  const presented = form.get("csrf");
  requireCsrf(request, signedIn.session.csrfToken, typeof presented === "string" ? presented : null);
}

/**
 * A signed-in person's form post: the session (else sign in), its CSRF token, then `body`, with
 * Phoenix's errors turned into error responses.
 */
export async function signedInFormPost<T>(
  args: WorkbenchArgs,
  body: (signedIn: SignedIn, form: FormData, now: number) => Promise<T>,
): Promise<T> {
  const now = Date.now();
  const form = await args.request.formData();
  return withPhoenixErrors(async () => {
    const signedIn = await requireSignedIn(args, now);
    requireFormCsrf(args.request, signedIn, form);
    return body(signedIn, form, now);
  });
}

/** What the root error boundary receives for a Phoenix error: its code, message and fields. */
export interface WorkbenchErrorData {
  code: string;
  message: string;
  errors?: { field: string; message: string }[];
}

/** Runs a loader or action body, turning Phoenix's errors into error responses with their status. */
export async function withPhoenixErrors<T>(body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (error) {
    if (error instanceof PhoenixError) throw phoenixErrorResponse(error);
    throw error;
  }
}

export function phoenixErrorResponse(error: PhoenixError) {
  const payload: WorkbenchErrorData = {
    code: error.code,
    message: error.message,
    ...(error.errors ? { errors: error.errors } : {}),
  };
  return data(payload, { status: ERROR_CODES[error.code].status });
}
