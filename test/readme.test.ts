import * as fs from "fs";
import * as path from "path";
import { allPolicies } from "../policy/policies";

const readme = fs.readFileSync(path.join(__dirname, "..", "README.md"), "utf8");

describe("README", () => {
    it("opens with the two commands that work on a fresh machine", () => {
        const firstBlock = /```sh\n([\s\S]*?)```/.exec(readme)?.[1] ?? "";
        expect(firstBlock).toMatch(/^npm ci && npm run plan -- --stack dev\b/m);
        expect(firstBlock).toMatch(/^npm test\b/m);
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
