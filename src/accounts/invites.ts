import { inTransaction, runQuery, type Pool, type Queryable } from '../db/pool.ts';
import { addMember } from './organizations.ts';
import { hashPassword } from './passwords.ts';
import { hashToken, newSecretToken } from './secret-token.ts';
import { findUserForLogin, insertUser, type Role, type User } from './users.ts';

export const inviteDays = 7;

export interface InviteView { id: number; email: string; role: Role; created_at: string; expires_at: string; accepted_at: string | null }
export interface OpenInvite { organizationId: number; organizationName: string; email: string; role: Role; userExists: boolean }

/** Returns the invite link's token (shown once to the admin who made it). */
export async function createInvite(db: Queryable, organizationId: number, input: { email: string; role: Role; invitedBy: number }): Promise<{ id: number; token: string }> {
  const token = newSecretToken();
  const { rows } = await runQuery<{ id: number }>(db, 'invites.create',
    `INSERT INTO organization_invites (organization_id, email, role, token_hash, invited_by, expires_at)
     VALUES ($1, $2, $3, $4, $5, now() + make_interval(days => $6)) RETURNING id`,
    [organizationId, input.email, input.role, hashToken(token), input.invitedBy, inviteDays]);
  return { id: rows[0]!.id, token };
}

export async function listInvites(db: Queryable, organizationId: number): Promise<InviteView[]> {
  const { rows } = await runQuery<InviteView>(db, 'invites.list',
    `SELECT id, email, role, created_at, expires_at, accepted_at FROM organization_invites
     WHERE organization_id = $1 ORDER BY id DESC`, [organizationId]);
  return rows;
}

export async function revokeInvite(db: Queryable, organizationId: number, inviteId: number): Promise<boolean> {
  const { rowCount } = await runQuery(db, 'invites.revoke',
    'DELETE FROM organization_invites WHERE organization_id = $1 AND id = $2 AND accepted_at IS NULL', [organizationId, inviteId]);
  return (rowCount ?? 0) > 0;
}

/** An invite that can still be accepted, or undefined (unknown, used or expired). */
export async function findOpenInvite(db: Queryable, token: string): Promise<OpenInvite | undefined> {
  const { rows } = await runQuery<{ organization_id: number; name: string; email: string; role: Role; user_exists: boolean }>(db, 'invites.find',
    `SELECT i.organization_id, o.name, i.email, i.role,
            EXISTS (SELECT 1 FROM users u WHERE lower(u.email) = lower(i.email)) AS user_exists
     FROM organization_invites i JOIN organizations o ON o.id = i.organization_id
     WHERE i.token_hash = $1 AND i.accepted_at IS NULL AND i.expires_at > now()`, [hashToken(token)]);
  const row = rows[0];
  return row && { organizationId: row.organization_id, organizationName: row.name, email: row.email, role: row.role, userExists: row.user_exists };
}

/**
 * Joins the invite's organisation: as a new account made with `password`, or, when the invited
 * email already has one, as that user (who must be the one logged in). Each invite works once.
 */
export async function acceptInvite(pool: Pool, token: string, input: { name: string; password?: string; loggedInUserId?: number }): Promise<User | undefined> {
  const passwordHash = input.password === undefined ? undefined : await hashPassword(input.password);
  return inTransaction(pool, async (client) => {
    const { rows } = await runQuery<{ organization_id: number; email: string; role: Role }>(client, 'invites.claim',
      `UPDATE organization_invites SET accepted_at = now()
       WHERE token_hash = $1 AND accepted_at IS NULL AND expires_at > now()
       RETURNING organization_id, email, role`, [hashToken(token)]);
    const invite = rows[0];
    if (!invite) return undefined;
    const existing = await findUserForLogin(client, invite.email);
    let user: User;
    if (existing) {
      if (existing.id !== input.loggedInUserId) throw new InviteForOtherUserError(invite.email);
      user = existing;
    } else {
      if (passwordHash === undefined) throw new InvitePasswordMissingError();
      user = await insertUser(client, { email: invite.email, name: input.name, passwordHash });
    }
    await addMember(client, invite.organization_id, user.id, invite.role);
    return { id: user.id, email: user.email, name: user.name, created_at: user.created_at };
  });
}

export class InviteForOtherUserError extends Error {
  constructor(email: string) { super(`this invite is for ${email}: log in as that user to accept it`); }
}

export class InvitePasswordMissingError extends Error {
  constructor() { super('password: required to create your account'); }
}
