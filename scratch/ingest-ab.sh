#!/usr/bin/env bash
# Ingest A/B: sounder start on PG15 alone, then with the ClickHouse loopback cluster; bench ingest each.
set -u
cd /work/main
PG=postgres://postgres@127.0.0.1:5432
EVENTS=${EVENTS:-300000}
run() {
  local name=$1; shift
  psql -q $PG/postgres -c "DROP DATABASE IF EXISTS $name WITH (FORCE)" -c "CREATE DATABASE $name"
  env "$@" DATABASE_URL=$PG/$name PORT=8021 node bin/sounder.js start > /tmp/ingest-$name.log 2>&1 &
  local pid=$!
  for _ in $(seq 1 60); do curl -sf http://127.0.0.1:8021/_health >/dev/null && break; sleep 1; done
  env "$@" DATABASE_URL=$PG/$name node bin/sounder.js bench ingest --events $EVENTS --url http://127.0.0.1:8021 > /tmp/ingest-$name.out 2>&1
  kill -INT $pid; wait $pid
  psql -q $PG/postgres -c "DROP DATABASE IF EXISTS $name WITH (FORCE)"
}
run sounder_ing_pg SOUNDER_DUMMY=1
CH=$(head -1 /tmp/chdev.out)
run sounder_ing_ch CLICKHOUSE_URL=$CH CLICKHOUSE_CLUSTER=sounder CLICKHOUSE_DATABASE=ingest_ab
echo done
