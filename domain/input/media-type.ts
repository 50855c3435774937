// What a request body must declare before Phoenix reads it: a JSON media type, UTF-8 (the only
// charset JSON allows on the wire, RFC 8259 §8.1) and no content coding. Refused with 415.
import { PhoenixError } from "../errors.ts";

const JSON_MEDIA_TYPE = /^application\/([a-z0-9.+-]*\+)?json$/;

export interface MediaType {
  type: string;
  charset: string | undefined;
}

export function parseMediaType(contentType: string): MediaType {
  const [type = "", ...params] = contentType.split(";");
  let charset: string | undefined;
  for (const param of params) {
    const [name = "", value = ""] = param.split("=", 2);
    if (name.trim().toLowerCase() === "charset")
      charset = value
        .trim()
        .replace(/^"(.*)"$/, "$1")
        .toLowerCase();
  }
  return { type: type.trim().toLowerCase(), charset };
}

export function isJsonMediaType(type: string): boolean {
  return JSON_MEDIA_TYPE.test(type);
}

/** Refuses a charset other than UTF-8: Phoenix decodes every body as UTF-8. */
export function requireUtf8(media: MediaType): void {
  if (media.charset !== undefined && media.charset !== "utf-8" && media.charset !== "utf8") {
    throw new PhoenixError(
      "unsupported_media_type",
      `charset ${JSON.stringify(media.charset.slice(0, 40))} is not supported: send the body as UTF-8`,
      [{ field: "content-type", message: "must name no charset or charset=utf-8" }],
    );
  }
}

/** A JSON body: an application/json (or +json) media type, in UTF-8. */
export function requireJsonBody(contentType: string): void {
  const media = parseMediaType(contentType);
  if (!isJsonMediaType(media.type)) {
    throw new PhoenixError("unsupported_media_type", "the request body must be application/json", [
      { field: "content-type", message: "must be application/json" },
    ]);
  }
  requireUtf8(media);
}

/** Refuses compressed bodies: signatures cover the bytes sent, and size caps the bytes stored. */
export function requireIdentityEncoding(contentEncoding: string | undefined): void {
  const coding = (contentEncoding ?? "").trim().toLowerCase();
  if (coding === "" || coding === "identity") return;
  throw new PhoenixError(
    "unsupported_media_type",
    `Content-Encoding ${JSON.stringify(coding.slice(0, 40))} is not supported: send the body uncompressed`,
    [{ field: "content-encoding", message: "must be absent or identity" }],
  );
}
