/**
 * What posthog-js and posthog-node read on start-up. Sounder has no feature flags yet, so
 * every answer is a complete, valid configuration with an empty flag set; autocapture must be
 * opted in explicitly (`autocapture_opt_out: false`) or posthog-js leaves it off.
 */
export function remoteConfig(token: string) {
  return {
    token,
    supportedCompression: ['gzip', 'gzip-js', 'lz64'],
    hasFeatureFlags: false,
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

export function remoteConfigScript(token: string): string {
  const payload = JSON.stringify({ config: remoteConfig(token), siteApps: [] });
  return `(function(){window._POSTHOG_REMOTE_CONFIG=window._POSTHOG_REMOTE_CONFIG||{};window._POSTHOG_REMOTE_CONFIG[${JSON.stringify(token)}]=${payload};})();`;
}

/** /decide (all versions) and /flags: config plus flags in both the old and the v2 shape. */
export function flagsAnswer(requestId: string) {
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
    featureFlags: {},
    featureFlagPayloads: {},
    flags: {},
    errorsWhileComputingFlags: false,
    quotaLimited: [],
    requestId,
  };
}
