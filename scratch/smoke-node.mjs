import { PostHog } from 'posthog-node';
const ph = new PostHog('phc_ak6cHV3YDo8k1twP7sjzElMgnnQgDjXa', { host: 'http://127.0.0.1:8011', flushAt: 50 });
for (let i = 0; i < 300; i++) ph.capture({ distinctId: 'u' + (i % 13), event: i % 3 ? '$pageview' : 'signup', properties: { $browser: i % 2 ? 'Chrome' : 'Safari' } });
await ph.shutdown();
