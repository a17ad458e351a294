/**
 * A part of a query the ClickHouse printer does not print yet (actions, element and cohort
 * filters). Workers still write every event to Postgres too, so such a query runs there.
 */
export class NotOnClickHouseError extends Error {}
