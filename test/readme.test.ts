import * as fs from "fs";
import * as path from "path";
import { allPolicies } from "../policy/policies";

const readme = fs.readFileSync(path.join(__dirname, "..", "README.md"), "utf8");

describe("README", () => {
    it("opens with the plan, the tests and the end-to-end run, in that order", () => {
        const firstBlock = /```sh\n([\s\S]*?)```/.exec(readme)?.[1] ?? "";
        const commands = firstBlock.split("\n").map((line) => line.replace(/#.*$/, "").trim());
        expect(commands.slice(0, 3)).toEqual(["npm ci && npm run plan -- --stack dev", "npm test && npm run test:handler", "npm run e2e"]);
    });

    it("says what the end-to-end run needs", () => {
        expect(readme).toContain("`npm run e2e` (and `test:handler`) need Python 3.11");
        expect(readme).toContain("Java 17");
    });

    it("lists every policy of the pack with its level", () => {
        for (const policy of allPolicies) {
            expect(readme).toContain(`| \`${policy.name}\` | ${policy.enforcementLevel} |`);
        }
    });

    it("shows the exact preview line with the policy pack config", () => {
        expect(readme).toContain("pulumi preview --policy-pack policy --policy-pack-config policy/config/prod.json");
        expect(fs.existsSync(path.join(__dirname, "..", "policy", "config", "prod.json"))).toBe(true);
    });
});
