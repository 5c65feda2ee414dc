import { loadConfig } from "./config";

const config = loadConfig();

export const stack = config.stack;
export const regions = config.regions.map((r) => ({ name: r.name, cloud: r.cloud, region: r.region }));
