import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the receiver got. */
export interface ReceivedRequest {
  at: number;
  path: string;
  headers: IncomingHttpHeaders;
  /** The raw body, as signed. */
  body: string;
  json: any;
}

/** A local webhook receiver (node:http on 127.0.0.1, port 0) that records every request. */
export class WebhookReceiver {
  readonly requests: ReceivedRequest[] = [];
  /** Status to answer with; a function decides per request; `'hang'` never answers (a timeout). */
  respond: number | 'hang' | ((request: ReceivedRequest) => number) = 200;
  /** Headers of every answer (e.g. a `Location` with a 3xx). */
  responseHeaders: Record<string, string> = {};

  private constructor(private readonly server: Server) {}

  static async start(): Promise<WebhookReceiver> {
    let receiver!: WebhookReceiver;
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', chunk => chunks.push(chunk));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        let json: unknown;
        try {
          json = JSON.parse(body);
        } catch {
          json = undefined;
        }
        const request: ReceivedRequest = { at: Date.now(), path: req.url ?? '', headers: req.headers, body, json };
        receiver.requests.push(request);
        if (receiver.respond === 'hang') return;
        res.statusCode = typeof receiver.respond === 'function' ? receiver.respond(request) : receiver.respond;
        for (const [name, value] of Object.entries(receiver.responseHeaders)) res.setHeader(name, value);
        res.end();
      });
    });
    receiver = new WebhookReceiver(server);
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
    return receiver;
  }

  /** URL of a path on this receiver. */
  url(path = '/hook'): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}${path}`;
  }

  /** Requests carrying a given message id. */
  deliveriesOf(messageId: string): ReceivedRequest[] {
    return this.requests.filter(r => r.headers['x-mq-message-id'] === messageId);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise(resolve => this.server.close(resolve));
  }
}
