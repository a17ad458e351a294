import cliProgress from 'cli-progress';

export interface ProgressReporter {
  update(step: string, done: number, total: number, unit: string): void;
  line(text: string): void;
  stop(): void;
}

function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const minutes = Math.floor(seconds / 60);
  return minutes > 0 ? `${minutes}m${String(Math.round(seconds % 60)).padStart(2, '0')}s` : `${Math.round(seconds)}s`;
}

/** A bar with rate and time left in a terminal (cli-progress); a log line every few seconds otherwise. */
export function createProgressReporter(stream: NodeJS.WriteStream = process.stderr): ProgressReporter {
  let step = '';
  let stepStarted = 0;
  let lastLine = 0;
  let printedEnd = false;
  let bar: cliProgress.SingleBar | undefined;
  // Under a tenth of a second the rate is noise.
  const rate = (done: number) => done / Math.max((performance.now() - stepStarted) / 1000, 0.1);

  const finishStep = () => {
    bar?.stop();
    bar = undefined;
  };
  return {
    update(nextStep, done, total, unit) {
      if (nextStep !== step) {
        finishStep();
        step = nextStep;
        stepStarted = performance.now();
        lastLine = 0;
        printedEnd = false;
        if (stream.isTTY) {
          bar = new cliProgress.SingleBar({
            stream,
            format: `${step.padEnd(12)} [{bar}] {percentage}% | {value}/{total} ${unit} | {rate} ${unit}/s | {eta_formatted} left`,
            etaBuffer: 50,
            hideCursor: true,
          }, cliProgress.Presets.shades_classic);
          bar.start(total, done, { rate: 0 });
        }
      }
      const perSecond = Math.round(rate(done));
      if (bar) {
        bar.setTotal(total);
        bar.update(done, { rate: perSecond });
      } else if (performance.now() - lastLine > 2000 || (done >= total && !printedEnd)) {
        lastLine = performance.now();
        printedEnd = done >= total;
        const left = perSecond > 0 ? formatDuration((total - done) / perSecond) : '?';
        stream.write(`${step}: ${done}/${total} ${unit} (${total > 0 ? Math.floor((done / total) * 100) : 100}%), ${perSecond} ${unit}/s, ${left} left\n`);
      }
    },
    line(text) {
      finishStep();
      step = '';
      stream.write(`${text}\n`);
    },
    stop: finishStep,
  };
}
