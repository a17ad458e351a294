import type { Random } from './random.ts';

export const browsers = ['Chrome', 'Safari', 'Firefox', 'Microsoft Edge', 'Samsung Internet', 'Opera'] as const;
const oses = ['Windows', 'Mac OS X', 'iOS', 'Android', 'Linux', 'Chrome OS'] as const;
const devices = ['Desktop', 'Mobile', 'Tablet'] as const;
const paths = ['/', '/pricing', '/docs', '/docs/getting-started', '/blog', '/blog/launch-week', '/signup', '/login', '/app', '/app/settings', '/app/dashboard', '/checkout', '/about', '/careers', '/changelog'];
const referrers = ['$direct', 'https://www.google.com/', 'https://news.ycombinator.com/', 'https://twitter.com/', 'https://www.bing.com/', 'https://github.com/'];
const utmSources = ['google', 'newsletter', 'twitter', 'partner', 'producthunt'];
const tags = ['button', 'a', 'span', 'div', 'input', 'svg'];
const classes = ['btn', 'btn-primary', 'nav-link', 'card', 'cta', 'menu-item', 'icon', 'hero'];
const texts = ['Sign up', 'Get started', 'Pricing', 'Learn more', 'Buy now', 'Docs', 'Continue', 'Save'];

export interface Device {
  deviceId: string;
  browser: string;
  browserVersion: number;
  os: string;
  deviceType: string;
  screen: [number, number];
  viewport: [number, number];
  referrer: string;
  utm?: Record<string, string>;
}

/** A device as posthog-js first saw it; its id is the anonymous distinct id it made then. */
export function randomDevice(random: Random, deviceId: string): Device {
  const deviceType = random.pick(devices);
  const screen: [number, number] = deviceType === 'Mobile' ? [390, 844] : deviceType === 'Tablet' ? [820, 1180] : [random.pick([1440, 1920, 2560]), random.pick([900, 1080, 1440])];
  return {
    deviceId,
    browser: random.pick(browsers),
    browserVersion: random.int(90, 131),
    os: random.pick(oses),
    deviceType,
    screen,
    viewport: [screen[0] - random.int(0, 40), screen[1] - random.int(80, 200)],
    referrer: random.pick(referrers),
    utm: random.chance(0.1) ? { utm_source: random.pick(utmSources), utm_medium: 'cpc', utm_campaign: `campaign-${random.int(1, 12)}` } : undefined,
  };
}

export function pagePath(random: Random): string {
  return random.pick(paths);
}

/** The ids posthog-js keeps while a page is open: its session's, its tab's and the page view's. */
export interface PageIds { sessionId: string; windowId: string; pageViewId: string }

/** The properties posthog-js attaches to every event (about 700 to 900 bytes as JSON). */
export function baseProperties(random: Random, device: Device, path: string, ids: PageIds, distinctId: string): Record<string, unknown> {
  const host = 'app.example.com';
  const referringDomain = device.referrer === '$direct' ? '$direct' : new URL(device.referrer).host;
  return {
    $os: device.os,
    $os_version: `${random.int(10, 17)}.${random.int(0, 6)}.0`,
    $browser: device.browser,
    $device_type: device.deviceType,
    $current_url: `https://${host}${path}`,
    $host: host,
    $pathname: path,
    $browser_version: device.browserVersion,
    $browser_language: 'en-US',
    $screen_height: device.screen[1],
    $screen_width: device.screen[0],
    $viewport_height: device.viewport[1],
    $viewport_width: device.viewport[0],
    $lib: 'web',
    $lib_version: '1.449.2',
    // Two Math.random().toString(36) slices of 8, as posthog-js builds it.
    $insert_id: random.base36(16),
    $time: 0,
    distinct_id: distinctId,
    $device_id: device.deviceId,
    $referrer: device.referrer,
    $referring_domain: referringDomain,
    $session_id: ids.sessionId,
    $window_id: ids.windowId,
    $pageview_id: ids.pageViewId,
    $is_identified: false,
    $process_person_profile: true,
    ...(device.utm ?? {}),
  };
}

export function randomElements(random: Random): Array<Record<string, unknown>> {
  return Array.from({ length: random.int(3, 6) }, (_, depth) => ({
    tag_name: depth === 0 ? random.pick(tags) : 'div',
    ...(depth === 0 ? { $el_text: random.pick(texts) } : {}),
    attr__class: [random.pick(classes), random.pick(classes)].join(' '),
    nth_child: random.int(1, 8),
    nth_of_type: random.int(1, 4),
    ...(depth === 0 && random.chance(0.4) ? { attr__href: `/${random.pick(paths).slice(1)}` } : {}),
  }));
}
