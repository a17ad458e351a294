-- A share link is a read-only capability for one dashboard. It is kept in clear, unlike keys and
-- sessions, because the owners must be able to see and copy it again; revoking clears it.
ALTER TABLE dashboards ADD COLUMN share_token text UNIQUE;
