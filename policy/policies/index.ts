/**
 * Every policy of the modelfleet guardrails pack. Importing this module only builds plain
 * policy objects: the pack (policy/index.ts), the offline plan and the guard all share it.
 */
import { clusterPolicies } from "./clusters";
import { limitPolicies } from "./limits";
import { scalingPolicies } from "./scaling";
import { storagePolicies } from "./storage";
import { tlsPolicies } from "./tls";
import type { GuardPolicy } from "./util";
import { workloadPolicies } from "./workloads";

export type { GuardPolicy } from "./util";
export { clusterPolicies, limitPolicies, scalingPolicies, storagePolicies, tlsPolicies, workloadPolicies };

export const allPolicies: GuardPolicy[] = [
    ...tlsPolicies,
    ...limitPolicies,
    ...workloadPolicies,
    ...storagePolicies,
    ...clusterPolicies,
    ...scalingPolicies,
];
