// What an administration form's post comes to when the domain refuses it: the refusal, said on the
// page with each field named, instead of an error page. Anything else is still an error.
import { PhoenixError } from "../domain/errors.ts";

export interface Refusal {
  ok: false;
  message: string;
  fields: { field: string; message: string }[];
}

const SAID_ON_THE_PAGE = new Set(["conflict", "validation_failed", "not_found"]);

/** `body`'s outcome, or the refusal a conflict, invalid input or a vanished target came to. */
export async function orRefusal<T>(body: () => Promise<T>): Promise<T | Refusal> {
  try {
    return await body();
  } catch (error) {
    if (error instanceof PhoenixError && SAID_ON_THE_PAGE.has(error.code)) {
      return { ok: false, message: error.message, fields: error.errors ?? [] };
    }
    throw error;
  }
}

export function refusal(message: string, fields: { field: string; message: string }[] = []): Refusal {
  return { ok: false, message, fields };
}
