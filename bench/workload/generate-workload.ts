import { baseProperties, pagePath, randomDevice, randomElements, type Device } from './event-properties.ts';
import { Random } from './random.ts';

export interface WorkloadEvent {
  uuid: string;
  event: string;
  distinct_id: string;
  timestamp: string;
  properties: Record<string, unknown>;
}

export interface WorkloadOptions {
  events: number;
  seed: number;
  /** How far back the events reach (default 8 weeks). */
  spanDays: number;
  /** End of the span (default: now, rounded to the hour). */
  end?: Date;
}

const customEvents = ['signed up', 'purchase', 'clicked button', 'viewed pricing', 'started trial', 'invited teammate', 'created project',
  'uploaded file', 'searched', 'shared link', 'upgraded plan', 'submitted form'] as const;
const plans = ['free', 'starter', 'pro', 'enterprise'] as const;

interface User { index: number; anonId: string; identifiedId?: string; aliasId?: string; identified: boolean; device: Device }

const hourMs = 3_600_000;
// Traffic by hour of day (UTC): quiet at night, busy in the working day.
const hourWeights = [2, 1, 1, 1, 1, 2, 4, 6, 8, 9, 10, 10, 9, 9, 10, 10, 9, 8, 7, 6, 5, 4, 3, 2];
const hourTotal = hourWeights.reduce((a, b) => a + b, 0);

function sessionStart(random: Random, startMs: number, spanDays: number): number {
  const day = random.int(0, spanDays - 1);
  let pick = random.next() * hourTotal;
  let hour = 0;
  while (pick > hourWeights[hour]!) pick -= hourWeights[hour++]!;
  return startMs + day * 24 * hourMs + hour * hourMs + random.int(0, hourMs - 1);
}

/**
 * The standard workload of WORKLOAD.md, deterministic for a seed: 50,000 users per million
 * events, sessions of 5 to 40 events, posthog-js-shaped properties, 30% of users identify,
 * 2% also alias, and the event mix of pageviews, autocapture, pageleaves and custom events.
 */
export function* generateWorkload(options: WorkloadOptions): Generator<WorkloadEvent> {
  const random = new Random(options.seed);
  const endMs = Math.floor((options.end?.getTime() ?? Date.now()) / hourMs) * hourMs;
  const startMs = endMs - options.spanDays * 24 * hourMs;
  const userCount = Math.max(1, Math.round((options.events * 50_000) / 1_000_000));
  const users: User[] = Array.from({ length: userCount }, (_, index) => {
    const identified = random.chance(0.3);
    // posthog-js makes the anonymous id (also the device id) on the first visit, before the span or in it.
    const anonId = random.uuidv7(startMs - random.int(-options.spanDays, 30) * 24 * hourMs);
    return {
      index,
      anonId,
      identifiedId: identified ? `user-${options.seed}-${index}@example.com` : undefined,
      aliasId: identified && random.chance(2 / 30) ? `crm-${options.seed}-${index}` : undefined,
      identified: false,
      device: randomDevice(random, anonId),
    };
  });

  let produced = 0;
  while (produced < options.events) {
    const user = users[random.int(0, userCount - 1)]!;
    let time = sessionStart(random, startMs, options.spanDays);
    const sessionId = random.uuidv7(time);
    const windowId = random.uuidv7(time);
    // The page the session opens on has a view id before its first $pageview here.
    let pageViewId = random.uuidv7(time);
    const length = Math.min(random.int(5, 40), options.events - produced);
    let path = pagePath(random);
    for (let i = 0; i < length; i++) {
      time += random.int(2, 90) * 1000;
      const distinctId = user.identified ? user.identifiedId! : user.anonId;
      // posthog-js makes an event's uuid when it captures it; a $pageview's is the page view id of what follows it.
      const uuid = random.uuidv7(time);
      const properties = baseProperties(random, user.device, path, { sessionId, windowId, pageViewId }, distinctId);
      properties.$time = time / 1000;
      let event: string;
      const roll = random.next();
      if (user.identifiedId && !user.identified && i === Math.floor(length / 2)) {
        event = '$identify';
        user.identified = true;
        Object.assign(properties, {
          distinct_id: user.identifiedId,
          $anon_distinct_id: user.anonId,
          $set: { email: user.identifiedId, name: `User ${user.index}`, plan: random.pick(plans) },
          $set_once: { first_seen_path: path },
        });
      } else if (user.aliasId && user.identified && roll < 0.02) {
        event = '$create_alias';
        Object.assign(properties, { alias: user.aliasId });
        user.aliasId = undefined;
      } else if (roll < 0.5) {
        event = '$pageview';
        path = pagePath(random);
        pageViewId = uuid;
        properties.$current_url = `https://app.example.com${path}`;
        properties.$pathname = path;
        properties.$pageview_id = pageViewId;
      } else if (roll < 0.7) {
        event = '$autocapture';
        Object.assign(properties, { $event_type: 'click', $elements: randomElements(random) });
      } else if (roll < 0.8) {
        event = '$pageleave';
      } else if (roll < 0.95) {
        event = random.pick(customEvents);
        if (event === 'purchase') properties.revenue = random.int(5, 500);
      } else if (roll < 0.975) {
        event = '$set';
        properties.$set = { last_seen_plan_page: path };
      } else {
        event = '$groupidentify';
        Object.assign(properties, { $group_type: 'company', $group_key: `company-${user.index % 500}`, $group_set: { name: `Company ${user.index % 500}` } });
      }
      yield { uuid, event, distinct_id: distinctId, timestamp: new Date(time).toISOString(), properties };
      produced++;
    }
  }
}
