import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import * as YAML from "yaml";
import { ConfigError, loadConfig, validateSettings } from "../config";
import type { Plan, PlanResource } from "../tools/contracts";
import { FleetMocks } from "../tools/mocks";
import { stackSettings } from "./mocks";

/**
 * Pull-request previews reach EKS as their own read-only identity: `kubernetesIdentity:
 * preview` drops the kubeconfig's `--role-arn` (the preview role may not assume the admin
 * role), `regions[].previewRoleArn` gives that role an AmazonEKSViewPolicy access entry, and
 * an update never runs with the preview identity.
 */

const ROOT = path.join(__dirname, "..");
const ADMIN = "arn:aws:iam::111122223333:role/modelfleet-platform-admin";
const PREVIEW = "arn:aws:iam::111122223333:role/modelfleet-ci-preview";

async function planDev(edit: (config: Record<string, unknown>) => void): Promise<Plan> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "modelfleet-preview-identity-"));
    const doc = YAML.parse(fs.readFileSync(path.join(ROOT, "Pulumi.dev.yaml"), "utf8")) as { config: Record<string, unknown> };
    edit(doc.config);
    fs.writeFileSync(path.join(dir, "Pulumi.dev.yaml"), YAML.stringify(doc));
    const stderr: string[] = [];
    let code = -1;
    await jest.isolateModulesAsync(async () => {
        const { main } = await import("../tools/plan");
        code = await main(["--config-file", path.join(dir, "Pulumi.dev.yaml"), "--out", path.join(dir, "out")], {
            stdout: () => undefined,
            stderr: (l) => stderr.push(l),
        });
    });
    expect(stderr).toEqual([]);
    expect(code).toBe(0);
    const plan = JSON.parse(fs.readFileSync(path.join(dir, "out", "plan.json"), "utf8")) as Plan;
    fs.rmSync(dir, { recursive: true, force: true });
    return plan;
}

const named = (plan: Plan, type: string, name: string) => plan.resources.find((r) => r.type === type && r.name === name) as PlanResource;
const tokenArgs = (plan: Plan): string[] => {
    const kubeconfig = JSON.parse(String(named(plan, "pulumi:providers:kubernetes", "use1-k8s").inputs["kubeconfig"])) as {
        users: Array<{ user: { exec: { args: string[] } } }>;
    };
    return kubeconfig.users[0].user.exec.args;
};

describe("the identity the program reaches EKS as", () => {
    let admin: Plan;
    let preview: Plan;
    beforeAll(async () => {
        admin = await planDev((config) => {
            delete (config["modelfleet:regions"] as Array<Record<string, unknown>>)[0]["previewRoleArn"];
        });
        preview = await planDev((config) => {
            config["modelfleet:kubernetesIdentity"] = "preview";
            expect((config["modelfleet:regions"] as Array<Record<string, unknown>>)[0]["previewRoleArn"]).toBe(PREVIEW);
        });
    }, 120_000);

    it("is the admin role by default: the token command assumes it", () => {
        expect(tokenArgs(admin).slice(-2)).toEqual(["--role-arn", ADMIN]);
    });

    it("is the run's own identity in a preview: no role to assume, the same cluster", () => {
        expect(tokenArgs(preview)).toEqual([
            "eks",
            "get-token",
            "--cluster-name",
            "modelfleet-dev-use1",
            "--region",
            "us-east-1",
            "--output",
            "json",
        ]);
        // Only the user's token command differs, so the provider is updated in the preview, never replaced.
        const cluster = (p: Plan) =>
            (JSON.parse(String(named(p, "pulumi:providers:kubernetes", "use1-k8s").inputs["kubeconfig"])) as { clusters: unknown[] })
                .clusters;
        expect(cluster(preview)).toEqual(cluster(admin));
    });

    it("gives the preview role a read-only access entry when regions[].previewRoleArn is set, and none otherwise", () => {
        expect(named(preview, "aws:eks/accessEntry:AccessEntry", "use1-eks-preview").inputs).toMatchObject({
            clusterName: "modelfleet-dev-use1",
            principalArn: PREVIEW,
            type: "STANDARD",
        });
        expect(named(preview, "aws:eks/accessPolicyAssociation:AccessPolicyAssociation", "use1-eks-preview").inputs).toMatchObject({
            policyArn: "arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy",
            accessScope: { type: "cluster" },
        });
        expect(admin.resources.filter((r) => r.name === "use1-eks-preview")).toEqual([]);
    });
});

describe("kubernetesIdentity: preview", () => {
    const load = async (preview: boolean) => {
        await pulumi.runtime.setMocks(new FleetMocks(), "modelfleet", "dev", preview);
        const settings = { ...stackSettings("dev"), kubernetesIdentity: "preview" };
        pulumi.runtime.setAllConfig(
            Object.fromEntries(
                Object.entries(settings).map(([k, v]) => [`modelfleet:${k}`, typeof v === "string" ? v : JSON.stringify(v)]),
            ),
            [],
        );
        return loadConfig();
    };
    afterAll(() => pulumi.runtime.setAllConfig({}, []));

    it("loads in a preview", async () => {
        expect((await load(true)).kubernetesIdentity).toBe("preview");
    });

    it("is refused in an update, naming the key and the fix", async () => {
        await expect(load(false)).rejects.toThrow(ConfigError);
        await expect(load(false)).rejects.toThrow(
            "modelfleet:kubernetesIdentity is preview, which only pulumi preview may use (the read-only identity cannot apply Kubernetes objects); fix: pulumi config rm kubernetesIdentity",
        );
    });

    it("must be admin or preview", () => {
        const raw = { ...stackSettings("dev"), kubernetesIdentity: "root" };
        expect(() => validateSettings(raw)).toThrow("modelfleet:kubernetesIdentity must be admin or preview");
    });
});
