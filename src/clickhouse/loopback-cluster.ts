import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { freePort } from '../net/free-port.ts';

/** A real ClickHouse cluster of `shards` servers on 127.0.0.1, for the test suite and the benches. */
export interface LoopbackCluster { urls: string[]; cluster: string; stop(): Promise<void> }

const clusterName = 'sounder';

/** The path of Debian's clickhouse-server, or undefined when it is not installed. */
export function findClickHouseServer(): string | undefined {
  return ['/usr/sbin/clickhouse-server', '/usr/bin/clickhouse-server'].find((candidate) => fs.existsSync(candidate));
}

function serverConfig(dir: string, httpPort: number, tcpPort: number, shardPorts: number[]): string {
  const shards = shardPorts.map((port) => `<shard><replica><host>127.0.0.1</host><port>${port}</port></replica></shard>`).join('');
  // ZSTD for every part: events are written once and read many times, so the smaller disk wins.
  return `<?xml version="1.0"?>
<yandex>
  <logger><level>warning</level><log>${dir}/server.log</log><errorlog>${dir}/server.err.log</errorlog></logger>
  <http_port>${httpPort}</http_port>
  <tcp_port>${tcpPort}</tcp_port>
  <listen_host>127.0.0.1</listen_host>
  <path>${dir}/data/</path>
  <tmp_path>${dir}/tmp/</tmp_path>
  <user_files_path>${dir}/user_files/</user_files_path>
  <format_schema_path>${dir}/format_schemas/</format_schema_path>
  <mark_cache_size>536870912</mark_cache_size>
  <users_config>${dir}/users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <timezone>UTC</timezone>
  <compression><case><method>zstd</method></case></compression>
  <remote_servers><${clusterName}>${shards}</${clusterName}></remote_servers>
</yandex>
`;
}

const usersConfig = `<?xml version="1.0"?>
<yandex>
  <profiles><default><max_memory_usage>6000000000</max_memory_usage></default></profiles>
  <users><default><password></password><networks><ip>127.0.0.1</ip></networks><profile>default</profile><quota>default</quota></default></users>
  <quotas><default><interval><duration>3600</duration><queries>0</queries><errors>0</errors><result_rows>0</result_rows><read_rows>0</read_rows><execution_time>0</execution_time></interval></default></quotas>
</yandex>
`;

async function waitForPing(url: string, child: ChildProcess, dir: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) break;
    try {
      const response = await fetch(`${url}/ping`);
      if (response.ok) return;
    } catch { /* not listening yet */ }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const log = fs.existsSync(`${dir}/server.err.log`) ? fs.readFileSync(`${dir}/server.err.log`, 'utf8').slice(-2000) : '';
  throw new Error(`clickhouse-server in ${dir} did not start: ${log}`);
}

/** Starts `shards` clickhouse-server processes under `baseDir`, one shard each, all in one `remote_servers` cluster. */
export async function startLoopbackCluster(baseDir: string, shards = 2): Promise<LoopbackCluster> {
  const binary = findClickHouseServer();
  if (!binary) throw new Error('clickhouse-server is not installed (Debian: apt-get install clickhouse-server)');
  const ports = await Promise.all(Array.from({ length: shards }, async () => ({ http: await freePort(), tcp: await freePort() })));
  const children: ChildProcess[] = [];
  const stop = async () => {
    await Promise.all(children.map((child) => new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
    })));
  };
  try {
    for (const [index, port] of ports.entries()) {
      const dir = path.join(baseDir, `shard-${index + 1}`);
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, 'users.xml'), usersConfig);
      fs.writeFileSync(path.join(dir, 'config.xml'), serverConfig(dir, port.http, port.tcp, ports.map((p) => p.tcp)));
      const child = spawn(binary, [`--config-file=${path.join(dir, 'config.xml')}`], { stdio: 'ignore' });
      children.push(child);
      await waitForPing(`http://127.0.0.1:${port.http}`, child, dir);
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { urls: ports.map((port) => `http://127.0.0.1:${port.http}`), cluster: clusterName, stop };
}
