/**
 * The response with `headers` set. In place when its headers are mutable (what handlers return), which keeps the
 * HTTP server's fast path for a body it already holds; a response with immutable headers (Response.redirect, a
 * fetched one) is copied first. Streams pass through untouched.
 */
export function withHeaders(response: Response, headers: Record<string, string>): Response {
  const entries = Object.entries(headers);
  if (!entries.length) return response;
  try {
    for (const [name, value] of entries) response.headers.set(name, value);
    return response;
  } catch {
    const copy = new Response(response.body, response);
    for (const [name, value] of entries) copy.headers.set(name, value);
    return copy;
  }
}
