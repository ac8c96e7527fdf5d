/**
 * The little of Express' request and response the sample touches. Declared here because the
 * project has no `@types/express`; Nest's Express adapter hands these objects over unchanged.
 */
export interface HttpRequest {
  headers: Record<string, string | string[] | undefined> & { authorization?: string };
  /** The client address (Express `req.ip`: the socket's peer, or per `trust proxy` the forwarded one). */
  ip?: string;
}

/** See `HttpRequest`. */
export interface HttpResponse {
  headersSent: boolean;
  status(code: number): HttpResponse;
  json(body: unknown): void;
  header(name: string, value: string): HttpResponse;
}

/** An Express `next` function. */
export type HttpNext = (err?: unknown) => void;
