/** Running totals of one worker process, reported with its heartbeat. */
export interface WorkerStats {
  events: number;
  batches: number;
  batchSeconds: number;
  personMerges: number;
}

export const emptyWorkerStats = (): WorkerStats => ({ events: 0, batches: 0, batchSeconds: 0, personMerges: 0 });
