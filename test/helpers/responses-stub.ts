/** The smallest Responses API server Codex accepts: created, one message item, completed (SSE). */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ResponsesStub {
  port: number;
  requests: { path: string; authorization: string | undefined; body: Record<string, unknown> }[];
  close(): Promise<void>;
}

export async function startResponsesStub(reply = 'STUB-OK'): Promise<ResponsesStub> {
  const requests: ResponsesStub['requests'] = [];
  const server: Server = createServer((req, res) => {
    let raw = '';
    req.on('data', (chunk: Buffer) => (raw += chunk.toString('utf8')));
    req.on('end', () => {
      const path = req.url ?? '/';
      let body: Record<string, unknown> = {};
      try {
        body = JSON.parse(raw) as Record<string, unknown>;
      } catch {
        /* not JSON */
      }
      requests.push({ path, authorization: req.headers.authorization, body });
      if (req.method !== 'POST' || !path.endsWith('/responses')) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const send = (event: Record<string, unknown>) => res.write(`event: ${String(event.type)}\ndata: ${JSON.stringify(event)}\n\n`);
      const response = { id: 'resp_stub', object: 'response', model: body.model, status: 'in_progress', output: [] as unknown[] };
      const item = { type: 'message', id: 'msg_stub', role: 'assistant', status: 'completed', content: [{ type: 'output_text', text: reply, annotations: [] }] };
      send({ type: 'response.created', response });
      send({ type: 'response.output_item.done', output_index: 0, item });
      send({ type: 'response.completed', response: { ...response, status: 'completed', output: [item], usage: { input_tokens: 1, output_tokens: 1, total_tokens: 2 } } });
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
