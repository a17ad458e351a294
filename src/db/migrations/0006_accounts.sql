-- People who log in to the web app, the organisations they belong to, and their sessions.
CREATE TABLE organizations (
  id serial PRIMARY KEY,
  name text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE users (
  id serial PRIMARY KEY,
  email text NOT NULL,
  name text NOT NULL DEFAULT '',
  -- argon2id, in the PHC string format (algorithm and parameters travel with the hash).
  password_hash text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  last_login_at timestamptz
);
CREATE UNIQUE INDEX users_email ON users (lower(email));

CREATE TABLE organization_members (
  organization_id integer NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  user_id integer NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  role text NOT NULL CHECK (role IN ('admin', 'member')),
  joined_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (organization_id, user_id)
);
CREATE INDEX organization_members_user ON organization_members (user_id);

-- Projects made before the first account (by `sounder start` or the CLI) have no organisation
-- until the first admin signs up and adopts them.
ALTER TABLE projects ADD COLUMN organization_id integer REFERENCES organizations (id) ON DELETE CASCADE;
CREATE INDEX projects_organization ON projects (organization_id);

-- Only a SHA-256 of the cookie's token is kept, so a database dump does not hold live sessions.
CREATE TABLE user_sessions (
  token_hash bytea PRIMARY KEY,
  user_id integer NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  csrf_token text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL
);
CREATE INDEX user_sessions_user ON user_sessions (user_id);
CREATE INDEX user_sessions_expires ON user_sessions (expires_at);

CREATE TABLE organization_invites (
  id serial PRIMARY KEY,
  organization_id integer NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  email text NOT NULL,
  role text NOT NULL CHECK (role IN ('admin', 'member')),
  token_hash bytea NOT NULL UNIQUE,
  invited_by integer REFERENCES users (id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  accepted_at timestamptz
);
CREATE INDEX organization_invites_organization ON organization_invites (organization_id);

-- Failed logins per email address in the current window, shared by every web process.
CREATE TABLE login_failures (
  email_key text PRIMARY KEY,
  failures integer NOT NULL,
  window_started_at timestamptz NOT NULL
);

-- Keys made in the web app say who made them; `read` keys cannot change anything.
ALTER TABLE personal_api_keys
  ADD COLUMN user_id integer REFERENCES users (id) ON DELETE CASCADE,
  ADD COLUMN scopes text[] NOT NULL DEFAULT '{read,write}' CHECK (scopes <@ '{read,write}' AND cardinality(scopes) > 0);
