/**
 * A region marked decommission must be one that can go: out of the global name, not
 * protected, not the model store's primary, and no edge cluster reading its copy.
 */
import { formatProblem } from "../config";
import { problemsOf, setPath, stackSettings, type Edits } from "./mocks";

/** The problem lines of a committed stack with edits applied; [] when it validates. */
function lines(stack: "dev" | "prod", edits: Edits, change: (raw: Record<string, unknown>) => void = () => undefined): string[] {
    const raw = stackSettings(stack);
    for (const [keyPath, value] of edits) setPath(raw, keyPath, value);
    change(raw);
    return problemsOf(raw).map(formatProblem);
}

describe("decommissioning a region", () => {
    test("a region already out of the global name, unprotected and read by nobody may go", () => {
        expect(
            lines("prod", [
                ["regions[1].decommission", true],
                ["regions[1].protect", false],
                ["regions[1].globalRouting", false],
                ["regions[3].modelStoreSource", "use1"],
            ]),
        ).toEqual([]);
        expect(
            lines("prod", [
                ["regions[2].decommission", true],
                ["regions[2].globalRouting", false],
            ]),
        ).toEqual([]);
    });

    test("an explicit protect, the global name and an edge reader are each named with their fix", () => {
        expect(
            lines("prod", [
                ["regions[1].decommission", true],
                ["regions[1].protect", true],
            ]),
        ).toEqual([
            "modelfleet:regions[1].protect is true, but the region is marked decommission: a region being removed has its protection lifted; fix: pulumi config rm --path 'regions[1].protect'",
            "modelfleet:regions[1].globalRouting is true, but the region is marked decommission: take it out of the global name first (docs/runbooks/region-loss.md); fix: pulumi config set --path 'regions[1].globalRouting' false",
            "modelfleet:regions[3].modelStoreSource reads the copy of 'euw1', which is marked decommission; read another AWS region's copy; fix: pulumi config set --path 'regions[3].modelStoreSource' use1",
        ]);
    });

    test("an edge cluster reading the copy is pointed at the primary", () => {
        expect(
            lines("prod", [
                ["regions[1].decommission", true],
                ["regions[1].globalRouting", false],
            ]),
        ).toEqual([
            "modelfleet:regions[3].modelStoreSource reads the copy of 'euw1', which is marked decommission; read another AWS region's copy; fix: pulumi config set --path 'regions[3].modelStoreSource' use1",
        ]);
    });

    test("the store's primary is refused on its own: switching the primary comes before its readers", () => {
        expect(
            lines("prod", [
                ["regions[0].decommission", true],
                ["regions[0].globalRouting", false],
                ["regions[3].modelStoreSource", "use1"],
            ]),
        ).toEqual([
            "modelfleet:regions[0].decommission marks the model store's primary 'use1', which feeds every copy; switch the primary first (docs/model-store.md); fix: pulumi config set --path 'modelStore.primaryRegion' euw1",
        ]);
    });

    test("the primary's fix names the first other AWS region, or a placeholder when there is none", () => {
        const gcpFirst = (raw: Record<string, unknown>) => {
            const regions = raw["regions"] as unknown[];
            raw["regions"] = [regions[0], regions[2], regions[1], regions[3]];
        };
        expect(
            lines(
                "prod",
                [
                    ["regions[0].decommission", true],
                    ["regions[0].globalRouting", false],
                ],
                gcpFirst,
            ),
        ).toEqual([
            "modelfleet:regions[0].decommission marks the model store's primary 'use1', which feeds every copy; switch the primary first (docs/model-store.md); fix: pulumi config set --path 'modelStore.primaryRegion' euw1",
        ]);
        expect(
            lines("dev", [
                ["regions[0].decommission", true],
                ["regions[0].globalRouting", false],
            ]),
        ).toEqual([
            "modelfleet:regions[0].decommission marks the model store's primary 'use1', which feeds every copy; switch the primary first (docs/model-store.md); fix: pulumi config set --path 'modelStore.primaryRegion' <aws-region-name>",
        ]);
    });

    test("protect and globalRouting on a region that stays are not questioned", () => {
        expect(
            lines("prod", [
                ["regions[1].decommission", false],
                ["regions[1].protect", true],
            ]),
        ).toEqual([]);
    });
});
