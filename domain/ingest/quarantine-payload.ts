// What a quarantine row keeps of a payload. Most fit whole; one longer than a D1 row can hold
// with room to spare is kept as its first MAX_QUARANTINE_PAYLOAD_BYTES, with its full length and
// SHA-256, so the operator can see what came and ask the source for it again.
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex } from "@noble/hashes/utils.js";
import { MAX_QUARANTINE_PAYLOAD_BYTES, utf8Length } from "../input/limits.ts";

export interface KeptPayload {
  payload: string;
  details: { truncated?: { bytes: number; sha256: string } };
}

export function quarantinePayload(payload: string): KeptPayload {
  if (utf8Length(payload) <= MAX_QUARANTINE_PAYLOAD_BYTES) return { payload, details: {} };
  const bytes = new TextEncoder().encode(payload);
  // Cut on a character boundary: the decoder drops a partial sequence at the end as U+FFFD, so back
  // off to the start of the last whole character instead.
  let end = MAX_QUARANTINE_PAYLOAD_BYTES;
  while (end > 0 && ((bytes[end] ?? 0) & 0xc0) === 0x80) end--;
  return {
    payload: new TextDecoder().decode(bytes.subarray(0, end)),
    details: { truncated: { bytes: bytes.length, sha256: bytesToHex(sha256(bytes)) } },
  };
}
