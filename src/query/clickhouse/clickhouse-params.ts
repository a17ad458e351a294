import { clickHouseLiteral, type ClickHouseValue } from '../../clickhouse/clickhouse-literal.ts';
import type { SqlParams } from '../sql-params.ts';

/**
 * SqlParams for ClickHouse, which takes no server-side parameters in 18.16: each value is
 * printed by the one literal printer where a Postgres query would have its `$n`.
 */
export class ClickHouseParams implements SqlParams {
  readonly values: unknown[] = [];

  add(value: unknown): string {
    return clickHouseLiteral(value as ClickHouseValue);
  }
}
