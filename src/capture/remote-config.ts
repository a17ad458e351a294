/**
 * What posthog-js and posthog-node read on start-up. Autocapture must be opted in explicitly
 * (`autocapture_opt_out: false`) or posthog-js leaves it off; `hasFeatureFlags: false` makes
 * posthog-js skip /flags, so it is true whenever the project has a flag.
 */
export function remoteConfig(token: string, hasFeatureFlags: boolean) {
  return {
    token,
    supportedCompression: ['gzip', 'gzip-js', 'lz64'],
    hasFeatureFlags,
    captureDeadClicks: false,
    capturePerformance: false,
    autocapture_opt_out: false,
    autocaptureExceptions: false,
    analytics: { endpoint: '/i/v0/e/' },
    elementsChainAsString: false,
    sessionRecording: false,
    heatmaps: false,
    surveys: false,
    defaultIdentifiedOnly: true,
    siteApps: [],
  };
}

export function remoteConfigScript(token: string, hasFeatureFlags: boolean): string {
  const payload = JSON.stringify({ config: remoteConfig(token, hasFeatureFlags), siteApps: [] });
  return `(function(){window._POSTHOG_REMOTE_CONFIG=window._POSTHOG_REMOTE_CONFIG||{};window._POSTHOG_REMOTE_CONFIG[${JSON.stringify(token)}]=${payload};})();`;
}

/** The configuration part of every /decide and /flags answer; the flags are added by flags-answer.ts. */
export function flagsConfig() {
  return {
    config: { enable_collect_everything: true },
    editorParams: {},
    isAuthenticated: false,
    supportedCompression: ['gzip', 'gzip-js', 'lz64'],
    autocapture_opt_out: false,
    capturePerformance: false,
    sessionRecording: false,
    siteApps: [],
    toolbarParams: {},
  };
}
