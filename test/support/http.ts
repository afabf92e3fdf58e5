/** A JSON answer from the API under test. */
export interface JsonResponse<T = unknown> {
  status: number;
  body: T;
  contentType: string | null;
}

/** Real HTTP against the running API; body may be an object (sent as JSON) or raw text. */
export async function request<T = unknown>(
  port: number,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<JsonResponse<T>> {
  const init: RequestInit = { method, headers: { ...headers } };
  if (body !== undefined) {
    init.body = typeof body === 'string' || body instanceof Uint8Array ? (body as string) : JSON.stringify(body);
    init.headers = { 'content-type': 'application/json', ...headers };
  }
  const response = await fetch(`http://127.0.0.1:${port}${path}`, init);
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON: callers that expect JSON assert on it
  }
  return { status: response.status, body: parsed as T, contentType: response.headers.get('content-type') };
}
