/** One person's events in time order: when, and which steps each event matches (bit k = step k). */
export interface PersonSequence { times: number[]; masks: number[] }

export type FunnelOrder = 'ordered' | 'strict' | 'unordered';

/** How far a person got: steps completed (0 = none) and when each was done, for the chain that got furthest. */
export interface FunnelMatch { steps: number; times: number[]; startIndex: number }

const has = (mask: number, step: number) => (mask & (1 << step)) !== 0;

/** Walks forward from `start` taking each next step at its earliest event within the window. */
function greedyChain(sequence: PersonSequence, start: number, stepCount: number, windowMs: number): FunnelMatch {
  const times = [sequence.times[start]!];
  const deadline = times[0]! + windowMs;
  let step = 1;
  for (let index = start + 1; index < sequence.times.length && step < stepCount; index++) {
    if (sequence.times[index]! > deadline) break;
    if (has(sequence.masks[index]!, step)) {
      times.push(sequence.times[index]!);
      step++;
    }
  }
  return { steps: step, times, startIndex: start };
}

/**
 * Ordered funnel: steps in order, each after the previous, all within the window from the
 * first; other events may come between. One pass keeps, per step, the latest start of a chain
 * that reached it (the latest start leaves the most window), which finds the furthest step
 * in O(events x steps); the times come from the earliest chain from that start.
 */
function matchOrdered(sequence: PersonSequence, stepCount: number, windowMs: number): FunnelMatch | undefined {
  const starts: Array<number | undefined> = new Array(stepCount).fill(undefined);
  for (let index = 0; index < sequence.times.length; index++) {
    const mask = sequence.masks[index]!;
    const time = sequence.times[index]!;
    // From the last step down, so one event never counts as two consecutive steps.
    for (let step = stepCount - 1; step >= 1; step--) {
      const start = starts[step - 1];
      if (start !== undefined && has(mask, step) && time - sequence.times[start]! <= windowMs) starts[step] = start;
    }
    if (has(mask, 0)) starts[0] = index;
  }
  for (let step = stepCount - 1; step >= 0; step--) {
    if (starts[step] !== undefined) return greedyChain(sequence, starts[step]!, step + 1, windowMs);
  }
  return undefined;
}

/** Strict funnel: each step must be the person's very next event after the previous step. */
function matchStrict(sequence: PersonSequence, stepCount: number, windowMs: number): FunnelMatch | undefined {
  let best: FunnelMatch | undefined;
  for (let start = 0; start < sequence.times.length; start++) {
    if (!has(sequence.masks[start]!, 0)) continue;
    const times = [sequence.times[start]!];
    while (times.length < stepCount) {
      const index = start + times.length;
      if (index >= sequence.times.length || !has(sequence.masks[index]!, times.length) || sequence.times[index]! - times[0]! > windowMs) break;
      times.push(sequence.times[index]!);
    }
    if (!best || times.length > best.steps) best = { steps: times.length, times, startIndex: start };
    if (best.steps === stepCount) break;
  }
  return best;
}

/**
 * Unordered funnel: the steps in any order within the window from the first event of the
 * chain; `times[k]` is when the k-th step (in the order they happened) was done.
 */
function matchUnordered(sequence: PersonSequence, stepCount: number, windowMs: number): FunnelMatch | undefined {
  let best: FunnelMatch | undefined;
  for (let start = 0; start < sequence.times.length; start++) {
    if (sequence.masks[start] === 0) continue;
    const done = new Set<number>();
    const times: number[] = [];
    for (let index = start; index < sequence.times.length && done.size < stepCount; index++) {
      if (sequence.times[index]! - sequence.times[start]! > windowMs) break;
      const step = [...Array(stepCount).keys()].find((candidate) => !done.has(candidate) && has(sequence.masks[index]!, candidate));
      if (step === undefined) continue;
      done.add(step);
      times.push(sequence.times[index]!);
    }
    if (!best || times.length > best.steps) best = { steps: times.length, times, startIndex: start };
    if (best.steps === stepCount) break;
  }
  return best;
}

export function matchFunnel(sequence: PersonSequence, stepCount: number, windowMs: number, order: FunnelOrder): FunnelMatch | undefined {
  if (order === 'strict') return matchStrict(sequence, stepCount, windowMs);
  if (order === 'unordered') return matchUnordered(sequence, stepCount, windowMs);
  return matchOrdered(sequence, stepCount, windowMs);
}
