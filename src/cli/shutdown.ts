// Ctrl-C reaches every process of the terminal's group, and supervisors then send SIGTERM too:
// a repeat this soon is the same request. A later one means "now" and exits at once.
const repeatIgnoredMs = 3000;

/** Runs `stop` once on the first SIGINT or SIGTERM; a signal again after a few seconds exits at once. */
export function onShutdown(stop: () => Promise<void>): void {
  let firstSignalAt: number | undefined;
  const handle = () => {
    if (firstSignalAt !== undefined) {
      if (Date.now() - firstSignalAt > repeatIgnoredMs) process.exit(130);
      return;
    }
    firstSignalAt = Date.now();
    stop().then(() => process.exit(0), (error: unknown) => {
      console.error(error);
      process.exit(1);
    });
  };
  process.on('SIGINT', handle);
  process.on('SIGTERM', handle);
}
