/**
 * Node counts of the system pools, which the schema cannot relate to each other: maxNodes
 * at least minNodes, and a desired count between them.
 */
import { formatProblem } from "../config";
import { mutate, type Edits } from "./mocks";

const cases: Array<[string, "dev" | "prod", Edits, string[]]> = [
    [
        "a system pool whose minNodes exceeds maxNodes, with the desired count outside both",
        "dev",
        [["regions[0].systemPool", { minNodes: 3, maxNodes: 2, desiredNodes: 2 }]],
        [
            "modelfleet:regions[0].systemPool.maxNodes must be >= minNodes (3); fix: pulumi config set --path 'regions[0].systemPool.maxNodes' 3",
            "modelfleet:regions[0].systemPool.desiredNodes must be between minNodes (3) and maxNodes (2); fix: pulumi config set --path 'regions[0].systemPool.desiredNodes' 3",
        ],
    ],
    [
        "a desired count above maxNodes",
        "dev",
        [["regions[0].systemPool", { minNodes: 1, maxNodes: 2, desiredNodes: 3 }]],
        [
            "modelfleet:regions[0].systemPool.desiredNodes must be between minNodes (1) and maxNodes (2); fix: pulumi config set --path 'regions[0].systemPool.desiredNodes' 1",
        ],
    ],
    [
        "a desired count below minNodes",
        "dev",
        [["regions[0].systemPool", { minNodes: 2, maxNodes: 3, desiredNodes: 1 }]],
        [
            "modelfleet:regions[0].systemPool.desiredNodes must be between minNodes (2) and maxNodes (3); fix: pulumi config set --path 'regions[0].systemPool.desiredNodes' 2",
        ],
    ],
    ["min, max and desired all equal pass", "dev", [["regions[0].systemPool", { minNodes: 2, maxNodes: 2, desiredNodes: 2 }]], []],
    [
        "a GKE system pool, which has no desired count",
        "prod",
        [["regions[2].systemPool", { minNodes: 3, maxNodes: 2 }]],
        [
            "modelfleet:regions[2].systemPool.maxNodes must be >= minNodes (3); fix: pulumi config set --path 'regions[2].systemPool.maxNodes' 3",
        ],
    ],
    ["a GKE system pool with min equal to max passes", "prod", [["regions[2].systemPool", { minNodes: 2, maxNodes: 2 }]], []],
];

describe("system pool node counts", () => {
    test.each(cases)("%s", (_title, stack, edits, expected) => {
        expect(mutate(stack, edits).map(formatProblem)).toEqual(expected);
    });
});
