// The sizes Phoenix accepts, in one place (decision 028). D1 stores at most 2,000,000 bytes in a
// row, so every limit here leaves a stored row well below that, whatever a client sends.

/** Request bodies, for /v1 and webhooks alike, unless MAX_BODY_BYTES says otherwise. */
export const DEFAULT_MAX_BODY_BYTES = 4 * 1024 * 1024;

/** One finding as JSON, its raw_data included: the alert row holds it about twice. */
export const MAX_FINDING_BYTES = 256 * 1024;

/** A quarantined payload; a longer one is kept truncated, with its length and digest. */
export const MAX_QUARANTINE_PAYLOAD_BYTES = 1024 * 1024;

/** Objects and arrays nested deeper than this are refused before anything serialises them. */
export const MAX_JSON_DEPTH = 64;

/** Standard Webhooks ids are short tokens (msg_…); longer ones are not ids but payloads. */
export const MAX_WEBHOOK_ID_LENGTH = 256;

/** A list page stops before it passes this many bytes of JSON, whatever its limit (at least one item). */
export const MAX_PAGE_BYTES = 1024 * 1024;

/** How far ahead of Phoenix's clock a source's timestamps may be: clock skew, not the future. */
export const MAX_FUTURE_SKEW_MS = 24 * 60 * 60 * 1000;

/** The body cap a deployment configured (MAX_BODY_BYTES), or the default when unset or not a size. */
export function maxBodyBytes(configured: string | undefined): number {
  const n = Number(configured);
  return Number.isSafeInteger(n) && n > 0 ? n : DEFAULT_MAX_BODY_BYTES;
}

/** UTF-8 length of a string, without allocating its encoding. */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 4;
        i++;
      } else bytes += 3;
    } else bytes += 3;
  }
  return bytes;
}
