import { describePlanContract, planOnce } from "./plan-contract";

describePlanContract("dev", planOnce("dev"));
