// Signs a person in through the development IdP, as their browser would: the login CSRF cookie and
// form field, the POST, the session cookie, and the CSRF token /v1 writes carry (GET /auth/session).
// Used by the demo seed and the benchmark, both against a local Phoenix.

export interface DevSession {
  principalId: string;
  /** The Cookie header value that carries the session. */
  cookie: string;
  csrf: string;
}

export async function signInThroughDevIdp(origin: string, displayName: string): Promise<DevSession> {
  const page = await fetch(`${origin}/auth/dev`);
  const html = await page.text();
  const loginCookie = cookiePair(page.headers.getSetCookie());
  const csrf = /name="csrf" value="([^"]+)"/.exec(html)?.[1];
  // Each person's form: their name, then (in the same list item) their principal id.
  const item = html.split("<li>").find((li) => li.includes(`<strong>${displayName}</strong>`));
  const principalId = item && /name="principal_id" value="([^"]+)"/.exec(item)?.[1];
  if (!csrf || !loginCookie || !principalId) throw new Error(`${displayName} is not on the development IdP`);
  const posted = await fetch(`${origin}/auth/dev`, {
    method: "POST",
    redirect: "manual",
    headers: { cookie: loginCookie, "content-type": "application/x-www-form-urlencoded", origin },
    body: new URLSearchParams({ csrf, principal_id: principalId, redirect_to: "/" }),
  });
  const cookie = cookiePair(posted.headers.getSetCookie(), "__Host-phoenix_session");
  if (!cookie) throw new Error(`signing in as ${displayName} answered ${posted.status}`);
  const session = await fetch(`${origin}/auth/session`, { headers: { cookie } });
  const body = (await session.json()) as { csrf_token: string; principal: { id: string } };
  return { principalId: body.principal.id, cookie, csrf: body.csrf_token };
}

function cookiePair(setCookies: string[], name?: string): string | null {
  const match = setCookies.find((c) => !name || c.startsWith(`${name}=`));
  return match ? (match.split(";")[0] ?? null) : null;
}
