export { loadConfig, validateSettings, resolveConfig } from "./load";
export type { FleetConfig, RegionConfig, FleetSecrets, EdgeStoreCredentials, RawSecrets } from "./load";
export { ConfigError, formatProblem } from "./errors";
export type { ConfigProblem } from "./errors";
export type { GpuPoolShape } from "./validate";
export * from "./schema";
export * as catalog from "./catalog";
export { TRACK_NAMES, trackWeights, primaryTrack, trackReplicas, podsAtShares } from "./traffic";
export type { TrackName } from "./traffic";
