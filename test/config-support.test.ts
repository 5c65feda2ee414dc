/**
 * The EKS support calendar against each AWS region's pinned version, by the day: which
 * minor to move to, the day support ends, and the warning window before it.
 */
import { formatProblem, validateSettings } from "../config";
import { eksStandardSupportEnds } from "../config/catalog";
import { checkAddonPins, checkSupportCalendar, newestSupportedMinor } from "../config/support";
import { stackSettings } from "./mocks";

/** A committed stack's settings with every AWS region pinned to `version` (set after validation). */
const settingsWith = (stack: "dev" | "prod", version: string) => {
    const settings = validateSettings(stackSettings(stack), { today: new Date("2026-01-01T00:00:00Z") });
    return { ...settings, regions: settings.regions.map((r) => (r.cloud === "aws" ? { ...r, kubernetesVersion: version } : r)) };
};
const verdictOn = (stack: "dev" | "prod", version: string, day: string) => {
    const v = checkSupportCalendar(settingsWith(stack, version), new Date(day));
    return { problems: v.problems.map(formatProblem), warnings: v.warnings };
};

describe("the newest minor in standard support", () => {
    test("is the highest minor whose support ends after the day, compared as numbers", () => {
        expect(newestSupportedMinor(new Date("2026-01-01T00:00:00Z"))).toBe("1.35");
        expect(newestSupportedMinor(new Date("2027-03-26T23:59:59Z"))).toBe("1.35");
        expect(newestSupportedMinor(new Date("2027-03-27T00:00:00Z"))).toBeUndefined();
    });

    test("does not depend on the calendar's order, and 1.100 is newer than 1.35", () => {
        const listed = { ...eksStandardSupportEnds };
        const calendar = eksStandardSupportEnds;
        try {
            for (const minor of Object.keys(calendar)) delete calendar[minor];
            Object.assign(calendar, { "1.35": "2027-03-27", "1.100": "2030-01-01", "1.9": "2026-06-01", "1.34": "2026-12-02" });
            expect(newestSupportedMinor(new Date("2026-01-01T00:00:00Z"))).toBe("1.100");
            delete calendar["1.100"];
            expect(newestSupportedMinor(new Date("2026-01-01T00:00:00Z"))).toBe("1.35");
        } finally {
            for (const minor of Object.keys(calendar)) delete calendar[minor];
            Object.assign(calendar, listed);
        }
        expect(Object.keys(eksStandardSupportEnds)).toEqual(["1.32", "1.33", "1.34", "1.35"]);
    });
});

describe("checkSupportCalendar", () => {
    test("support ends at the start of the listed UTC day", () => {
        expect(verdictOn("dev", "1.34", "2026-12-01T23:59:59Z")).toEqual({
            problems: [],
            warnings: [
                "modelfleet:regions[0].kubernetesVersion '1.34' leaves EKS standard support on 2026-12-02, in 1 day(s); plan the upgrade: pulumi config set --path 'regions[0].kubernetesVersion' 1.35",
            ],
        });
        expect(verdictOn("dev", "1.34", "2026-12-02T00:00:00Z")).toEqual({
            problems: [
                "modelfleet:regions[0].kubernetesVersion '1.34' left EKS standard support on 2026-12-02 (extended support bills per cluster hour, then EKS upgrades it for you); fix: pulumi config set --path 'regions[0].kubernetesVersion' 1.35, and the add-on pins and images.clusterAutoscaler with it",
            ],
            warnings: [],
        });
    });

    test("the warning starts 60 days before the end, a partial day counting as a whole one", () => {
        expect(verdictOn("dev", "1.34", "2026-10-03T00:00:00Z").warnings).toEqual([
            "modelfleet:regions[0].kubernetesVersion '1.34' leaves EKS standard support on 2026-12-02, in 60 day(s); plan the upgrade: pulumi config set --path 'regions[0].kubernetesVersion' 1.35",
        ]);
        expect(verdictOn("dev", "1.34", "2026-10-02T00:00:00Z").warnings).toEqual([]);
        expect(verdictOn("dev", "1.34", "2026-10-02T12:00:00Z").warnings).toEqual([]);
        expect(verdictOn("dev", "1.34", "2026-10-03T12:00:00Z").warnings).toEqual([
            "modelfleet:regions[0].kubernetesVersion '1.34' leaves EKS standard support on 2026-12-02, in 60 day(s); plan the upgrade: pulumi config set --path 'regions[0].kubernetesVersion' 1.35",
        ]);
    });

    test("an unknown minor is refused in every AWS region; GCP and edge regions pin none", () => {
        expect(verdictOn("prod", "1.29", "2026-12-04T00:00:00Z")).toEqual({
            problems: [0, 1].map(
                (i) =>
                    `modelfleet:regions[${i}].kubernetesVersion '1.29' is not in the EKS support calendar (config/catalog.ts eksStandardSupportEnds); fix: add its end of standard support from https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions.html, or pulumi config set --path 'regions[${i}].kubernetesVersion' 1.35`,
            ),
            warnings: [],
        });
    });

    test("when no minor is left in support the fix is to extend the calendar", () => {
        expect(verdictOn("dev", "1.29", "2027-04-01T00:00:00Z").problems).toEqual([
            "modelfleet:regions[0].kubernetesVersion '1.29' is not in the EKS support calendar (config/catalog.ts eksStandardSupportEnds); fix: add its end of standard support from https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions.html, or add the version's dates to eksStandardSupportEnds in config/catalog.ts",
        ]);
    });
});

describe("checkAddonPins", () => {
    test("prod AWS regions must pin cert-manager; GCP and edge regions and dev stacks need not", () => {
        const prod = validateSettings(stackSettings("prod"), { today: new Date("2026-12-04T00:00:00Z") });
        expect(checkAddonPins(prod)).toEqual([]);
        const unpinned = { ...prod, regions: prod.regions.map((r) => (r.cloud === "aws" ? { ...r, addons: { "vpc-cni": "v1" } } : r)) };
        expect(checkAddonPins(unpinned).map(formatProblem)).toEqual(
            [0, 1].map(
                (i) =>
                    `modelfleet:regions[${i}].addons.cert-manager is required in prod (an unpinned add-on follows EKS's newest version on every up); fix: pulumi config set --path 'regions[${i}].addons.cert-manager' <version> (list them: aws eks describe-addon-versions --addon-name cert-manager --kubernetes-version 1.35)`,
            ),
        );
        expect(checkAddonPins({ ...unpinned, environment: "dev" })).toEqual([]);
    });
});
