import { ConfigError, ConfigProblem, formatProblem, settingsWarnings, validateSettings } from "../config";
import { eksStandardSupportEnds } from "../config/catalog";
import { defaults } from "../config/defaults";
import { main } from "../tools/plan";
import { stackSettings } from "./mocks";
import * as path from "path";

function problemsOn(raw: Record<string, unknown>, today: string): ConfigProblem[] {
    try {
        validateSettings(raw, { today: new Date(today) });
        return [];
    } catch (err) {
        if (err instanceof ConfigError) return err.problems;
        throw err;
    }
}

function withVersion(stack: "dev" | "prod", version: string): Record<string, unknown> {
    const raw = stackSettings(stack);
    const regions = raw["regions"] as Array<Record<string, unknown>>;
    for (const r of regions) if (r["cloud"] === "aws") r["kubernetesVersion"] = version;
    return raw;
}

describe("EKS standard-support calendar", () => {
    it("holds the dates of the EKS release calendar (docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions.html)", () => {
        expect(eksStandardSupportEnds["1.33"]).toBe("2026-07-29");
        expect(eksStandardSupportEnds["1.34"]).toBe("2026-12-02");
        expect(eksStandardSupportEnds["1.35"]).toBe("2027-03-27");
    });

    it("the default version is in standard support on 2026-12-04, with no warning", () => {
        expect(defaults.aws.kubernetesVersion).toBe("1.35");
        expect(problemsOn(stackSettings("prod"), "2026-12-04T12:00:00Z")).toEqual([]);
        expect(
            settingsWarnings(validateSettings(stackSettings("dev"), { today: new Date("2026-12-04") }), { today: new Date("2026-12-04") }),
        ).toEqual([]);
    });

    it("refuses 1.33 (left standard support 2026-07-29) and names the version to move to", () => {
        const problems = problemsOn(withVersion("dev", "1.33"), "2026-12-04T12:00:00Z");
        expect(problems.map(formatProblem)).toEqual([
            "modelfleet:regions[0].kubernetesVersion '1.33' left EKS standard support on 2026-07-29 (extended support bills per cluster hour, then EKS upgrades it for you); fix: pulumi config set --path 'regions[0].kubernetesVersion' 1.35, and the add-on pins and images.clusterAutoscaler with it",
        ]);
    });

    it("refuses 1.34 from 2026-12-02 on, and accepts it the day before with a warning", () => {
        expect(problemsOn(withVersion("dev", "1.34"), "2026-12-02T00:00:00Z").map((p) => p.path)).toEqual(["regions[0].kubernetesVersion"]);
        const raw = withVersion("dev", "1.34");
        const today = new Date("2026-12-01T00:00:00Z");
        expect(settingsWarnings(validateSettings(raw, { today }), { today })).toEqual([
            "modelfleet:regions[0].kubernetesVersion '1.34' leaves EKS standard support on 2026-12-02, in 1 day(s); plan the upgrade: pulumi config set --path 'regions[0].kubernetesVersion' 1.35",
        ]);
    });

    it("warns from 60 days before the end, not 61", () => {
        const settings = validateSettings(stackSettings("dev"), { today: new Date("2027-01-26T00:00:00Z") });
        expect(settingsWarnings(settings, { today: new Date("2027-01-26T00:00:00Z") })).toHaveLength(1);
        expect(settingsWarnings(settings, { today: new Date("2027-01-25T00:00:00Z") })).toEqual([]);
    });

    it("refuses a minor the calendar does not know", () => {
        const problems = problemsOn(withVersion("dev", "1.29"), "2026-12-04");
        expect(problems.map((p) => p.message)).toEqual([
            "'1.29' is not in the EKS support calendar (config/catalog.ts eksStandardSupportEnds)",
        ]);
    });

    it("plan exits 2 with the fix line once the pinned version is past standard support", async () => {
        const stderr: string[] = [];
        const code = await main(
            ["--stack", "dev", "--out", path.join(__dirname, "..", "out", "support-calendar-test")],
            { stdout: () => undefined, stderr: (l) => stderr.push(l) },
            new Date("2027-03-27T00:00:00Z"),
        );
        expect(code).toBe(2);
        expect(stderr).toEqual([
            "modelfleet:regions[0].kubernetesVersion '1.35' left EKS standard support on 2027-03-27 (extended support bills per cluster hour, then EKS upgrades it for you); fix: add the version's dates to eksStandardSupportEnds in config/catalog.ts, and the add-on pins and images.clusterAutoscaler with it",
        ]);
    });
});

describe("prod pins every EKS add-on", () => {
    it("refuses a prod AWS region without a cert-manager pin", () => {
        const raw = stackSettings("prod");
        const regions = raw["regions"] as Array<Record<string, unknown>>;
        delete regions[1]["addons"];
        expect(problemsOn(raw, "2026-12-04").map(formatProblem)).toEqual([
            "modelfleet:regions[1].addons.cert-manager is required in prod (an unpinned add-on follows EKS's newest version on every up); fix: pulumi config set --path 'regions[1].addons.cert-manager' <version> (list them: aws eks describe-addon-versions --addon-name cert-manager --kubernetes-version 1.35)",
        ]);
    });

    it("accepts the committed prod stack, and a dev stack without the pin", () => {
        expect(problemsOn(stackSettings("prod"), "2026-12-04")).toEqual([]);
        expect(problemsOn(stackSettings("dev"), "2026-12-04")).toEqual([]);
    });
});
