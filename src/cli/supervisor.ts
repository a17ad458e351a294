import type { ChildProcess } from 'node:child_process';

// A child that dies this soon after starting, this many times in a row, will not start at all
// (a port in use, a database that refuses it): give up instead of restarting forever.
const quickExitMs = 5000;
const quickExitsBeforeGivingUp = 3;

export interface Supervised { current(): ChildProcess }

/** Keeps one child process alive until shutdown: a crashed child is restarted after a second. */
export function supervise(name: string, launch: () => ChildProcess, isStopping: () => boolean, giveUp: (reason: string) => void): Supervised {
  let child: ChildProcess;
  let quickExits = 0;
  const start = () => {
    const startedAt = Date.now();
    child = launch();
    child.on('exit', (code, signal) => {
      if (isStopping()) return;
      quickExits = Date.now() - startedAt < quickExitMs ? quickExits + 1 : 0;
      if (quickExits >= quickExitsBeforeGivingUp) {
        giveUp(`${name} exited ${quickExits} times right after starting (see its error above); stopping`);
        return;
      }
      console.error(`${name} exited (${signal ?? code}); restarting`);
      setTimeout(start, 1000);
    });
  };
  start();
  return { current: () => child };
}

export function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/** Supervises `count` children and stops them all on shutdown or when one cannot start. */
export function superviseGroup(children: Array<{ name: string; launch: () => ChildProcess }>, onGiveUp: () => Promise<void> = async () => undefined) {
  let stopping = false;
  const stopAll = async () => {
    stopping = true;
    await Promise.all(supervised.map((child) => stopChild(child.current())));
  };
  const giveUp = (reason: string) => {
    console.error(reason);
    stopAll().then(onGiveUp).finally(() => process.exit(1));
  };
  const supervised = children.map(({ name, launch }) => supervise(name, launch, () => stopping, giveUp));
  return { stopAll };
}
