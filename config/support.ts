import { eksStandardSupportEnds, SUPPORT_WARNING_DAYS } from "./catalog";
import { ConfigProblem, setCommand } from "./errors";
import type { FleetSettings } from "./schema";

/** What the support calendar says about a stack's pinned Kubernetes versions. */
export interface SupportVerdict {
    /** Pinned versions past standard support, or missing from the calendar: the stack is refused. */
    problems: ConfigProblem[];
    /** Pinned versions that leave standard support within SUPPORT_WARNING_DAYS. */
    warnings: string[];
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** The newest minor in the calendar that is still in standard support on `today`. */
export function newestSupportedMinor(today: Date): string | undefined {
    return Object.entries(eksStandardSupportEnds)
        .filter(([, end]) => Date.parse(`${end}T00:00:00Z`) > today.getTime())
        .map(([minor]) => minor)
        .sort((a, b) => Number(a.split(".")[1]) - Number(b.split(".")[1]))
        .pop();
}

/**
 * Checks every AWS region's `kubernetesVersion` against the EKS standard-support calendar.
 * Standard support ends at the start of the listed UTC day. GKE regions pin no version: their
 * release channel picks and upgrades it, so there is nothing to check.
 */
export function checkSupportCalendar(s: FleetSettings, today: Date): SupportVerdict {
    const verdict: SupportVerdict = { problems: [], warnings: [] };
    const target = newestSupportedMinor(today);
    s.regions.forEach((region, ri) => {
        if (region.cloud !== "aws") return;
        const path = `regions[${ri}].kubernetesVersion`;
        const minor = region.kubernetesVersion;
        const fix = target ? setCommand(path, target) : "add the version's dates to eksStandardSupportEnds in config/catalog.ts";
        const end = eksStandardSupportEnds[minor];
        if (end === undefined) {
            verdict.problems.push({
                path,
                message: `'${minor}' is not in the EKS support calendar (config/catalog.ts eksStandardSupportEnds)`,
                fix: `add its end of standard support from https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions.html, or ${fix}`,
            });
            return;
        }
        const daysLeft = Math.ceil((Date.parse(`${end}T00:00:00Z`) - today.getTime()) / DAY_MS);
        if (daysLeft <= 0) {
            verdict.problems.push({
                path,
                message: `'${minor}' left EKS standard support on ${end} (extended support bills per cluster hour, then EKS upgrades it for you)`,
                fix: `${fix}, and the add-on pins and images.clusterAutoscaler with it`,
            });
        } else if (daysLeft <= SUPPORT_WARNING_DAYS) {
            verdict.warnings.push(
                `modelfleet:${path} '${minor}' leaves EKS standard support on ${end}, in ${daysLeft} day(s); plan the upgrade: ${fix}`,
            );
        }
    });
    return verdict;
}

/** The EKS community add-on with no default pin: its versions follow cert-manager's releases. */
const UNPINNED_BY_DEFAULT = "cert-manager";

/**
 * Prod stacks pin every EKS add-on: the defaults pin the AWS-managed ones, and cert-manager
 * must be pinned in the stack file, or its version would float to whatever EKS lists as
 * newest on the day of each `pulumi up`.
 */
export function checkAddonPins(s: FleetSettings): ConfigProblem[] {
    if (s.environment !== "prod") return [];
    return s.regions.flatMap((region, ri) => {
        if (region.cloud !== "aws" || region.addons?.[UNPINNED_BY_DEFAULT] !== undefined) return [];
        const path = `regions[${ri}].addons.${UNPINNED_BY_DEFAULT}`;
        return [
            {
                path,
                message: `is required in prod (an unpinned add-on follows EKS's newest version on every up)`,
                fix: `${setCommand(path, "<version>")} (list them: aws eks describe-addon-versions --addon-name ${UNPINNED_BY_DEFAULT} --kubernetes-version ${region.kubernetesVersion})`,
            },
        ];
    });
}
