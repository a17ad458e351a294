import { startLoopbackCluster } from '../src/clickhouse/loopback-cluster.ts';
const cluster = await startLoopbackCluster('/tmp/chdev', 2);
console.log(cluster.urls.join(','));
process.on('SIGTERM', async () => { await cluster.stop(); process.exit(0); });
setInterval(() => undefined, 1000);
