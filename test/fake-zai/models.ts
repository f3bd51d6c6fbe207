/**
 * `GET /api/v1/models` on the stand-in's origin: the models the key may use, in the shape Z.ai's list is
 * reported to have (`{"models":[{"slug":...}]}`), Bearer auth as on Z.ai's other routes. It lists the
 * models the stand-in serves, so a test that starts it with a new id sees that id offered.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ZAI_ERRORS, sendError, type FakeContext } from './server.js';

export const MODELS_PATH = '/api/v1/models';

export function handleModels(ctx: FakeContext, req: IncomingMessage, res: ServerResponse): void {
  const auth = req.headers.authorization;
  if (!auth) return sendError(res, ZAI_ERRORS.missingKey);
  if (auth !== `Bearer ${ctx.apiKey}`) return sendError(res, ZAI_ERRORS.badKey);
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ models: [...ctx.models].map((slug) => ({ slug })) }));
}
