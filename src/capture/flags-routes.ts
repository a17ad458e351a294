import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { sendCorsHeaders } from './cors.ts';
import { flagsAnswer, remoteConfig, remoteConfigScript } from './remote-config.ts';

/** /decide, /flags and posthog-js' remote configuration, for every SDK version Sounder meets. */
export async function registerFlagsRoutes(app: FastifyInstance): Promise<void> {
  const answerFlags = async (request: FastifyRequest, reply: FastifyReply) => {
    sendCorsHeaders(request, reply);
    return flagsAnswer(randomUUID());
  };
  for (const path of ['/decide', '/flags']) {
    app.route({ method: ['GET', 'POST'], url: path, handler: answerFlags });
    app.options(path, (request, reply) => { sendCorsHeaders(request, reply); reply.send(); });
  }
  app.get<{ Params: { token: string } }>('/array/:token/config', async (request, reply) => {
    sendCorsHeaders(request, reply);
    return remoteConfig(request.params.token);
  });
  app.get<{ Params: { token: string } }>('/array/:token/config.js', async (request, reply) => {
    sendCorsHeaders(request, reply);
    reply.type('application/javascript');
    return remoteConfigScript(request.params.token);
  });
}
