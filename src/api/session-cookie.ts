import type { FastifyReply, FastifyRequest } from 'fastify';
import { sessionDays } from '../accounts/sessions.ts';
import { sessionCookie } from './authenticate.ts';

/** HttpOnly so page scripts never see it; SameSite=Lax so other sites' forms and fetches go without it. */
export function setSessionCookie(request: FastifyRequest, reply: FastifyReply, token: string): void {
  reply.setCookie(sessionCookie, token, {
    httpOnly: true,
    sameSite: 'lax',
    secure: request.protocol === 'https',
    path: '/',
    maxAge: sessionDays * 86_400,
  });
}

export function clearSessionCookie(reply: FastifyReply): void {
  reply.clearCookie(sessionCookie, { path: '/' });
}
