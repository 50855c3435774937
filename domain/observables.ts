// Observables are normalised before storage so one indicator has one row, whatever case or
// padding the producer used. Ids are content-addressed, so concurrent writers need no read.

// OCSF observable type_ids whose values compare case-insensitively: hostname, IP, MAC, email, hash.
const CASE_INSENSITIVE_TYPES = new Set([1, 2, 3, 5, 8]);

export function normaliseObservableValue(typeId: number, value: string): string {
  const trimmed = value.trim();
  return CASE_INSENSITIVE_TYPES.has(typeId) ? trimmed.toLowerCase() : trimmed;
}

export async function observableId(typeId: number, normalisedValue: string): Promise<string> {
  const digest = await crypto.subtle.digest(
    "SHA-256",
    new TextEncoder().encode(`${typeId}\u0000${normalisedValue}`),
  );
  const hex = [...new Uint8Array(digest).slice(0, 16)].map((b) => b.toString(16).padStart(2, "0")).join("");
  return `obs_${hex}`;
}
