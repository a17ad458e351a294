-- "Anonymize IPs": capture drops $ip (the one the SDK sent, and the request's) before the event
-- is stored, so it never reaches the buffer or the events table.
ALTER TABLE projects ADD COLUMN anonymize_ips boolean NOT NULL DEFAULT false;
