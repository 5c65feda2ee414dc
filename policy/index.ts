import { PolicyPack } from "@pulumi/policy";
import { allPolicies } from "./policies";

new PolicyPack("modelfleet-guardrails", { policies: allPolicies });
