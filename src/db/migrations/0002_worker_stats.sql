-- Each worker's running totals, written with its heartbeat, so any web process can export the
-- metrics of every worker on every machine.
ALTER TABLE workers
  ADD COLUMN shards integer NOT NULL DEFAULT 0,
  ADD COLUMN events_total bigint NOT NULL DEFAULT 0,
  ADD COLUMN batches_total bigint NOT NULL DEFAULT 0,
  ADD COLUMN batch_seconds_total double precision NOT NULL DEFAULT 0,
  ADD COLUMN person_merges_total bigint NOT NULL DEFAULT 0;
