import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { main, type DebugIo } from "../tools/debug";
import type { DebugReport } from "../tools/debug/render";

const ROOT = path.join(__dirname, "..");
const DEV_PLAN = path.join(__dirname, "fixtures", "debug", "dev");
const PROD_PLAN = path.join(__dirname, "fixtures", "debug", "prod");
const workDir = fs.mkdtempSync(path.join(os.tmpdir(), "modelfleet-debug-"));
const emptyHome = fs.mkdtempSync(path.join(os.tmpdir(), "modelfleet-debug-home-"));

afterAll(() => {
    fs.rmSync(workDir, { recursive: true, force: true });
    fs.rmSync(emptyHome, { recursive: true, force: true });
});

interface Run {
    code: number;
    stdout: string;
    stderr: string;
}

/** Runs the tool with no kubeconfig in reach unless the test provides one. */
async function debug(argv: string[], io: Partial<Pick<DebugIo, "env" | "homeDir">> = {}): Promise<Run> {
    const out: string[] = [];
    const err: string[] = [];
    const code = await main(argv, {
        stdout: (l) => out.push(l),
        stderr: (l) => err.push(l),
        env: io.env ?? {},
        homeDir: io.homeDir ?? emptyHome,
    });
    return { code, stdout: out.join("\n"), stderr: err.join("\n") };
}

function writeFile(name: string, text: string): string {
    const file = path.join(workDir, name);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
    return file;
}

function kubeconfig(name: string, contexts: string[]): string {
    return writeFile(
        name,
        [
            "apiVersion: v1",
            "kind: Config",
            "contexts:",
            ...contexts.map((c) => `  - name: ${c}\n    context: { cluster: ${c}, user: ${c} }`),
            "",
        ].join("\n"),
    );
}

/** A copy of the dev stack file with one line replaced. */
function devStackWith(name: string, from: string, to: string): string {
    const text = fs.readFileSync(path.join(ROOT, "Pulumi.dev.yaml"), "utf8");
    if (!text.includes(from)) throw new Error(`Pulumi.dev.yaml has no '${from}'`);
    return writeFile(name, text.replace(from, to));
}

/** The in-pod HTTP GET: the TorchServe image has Python but no curl. */
function inPod(url: string): string {
    return `python -c 'import urllib.request as r; print(r.urlopen("${url}", timeout=10).read().decode())'`;
}

function lines(text: string): string[] {
    return text.split("\n").map((l) => l.trim());
}

describe("stack config", () => {
    test("a wrong value exits 2 with one line naming the key and its fix, and prints nothing else", async () => {
        const file = devStackWith("bad/Pulumi.dev.yaml", "          maxNodes: 4\n          desiredNodes: 1", "          maxNodes: 0");
        const run = await debug(["--config-file", file, "--plan-dir", DEV_PLAN]);
        expect(run.code).toBe(2);
        expect(run.stdout).toBe("");
        expect(run.stderr.split("\n")).toEqual([
            "modelfleet:regions[0].gpuPools[0].maxNodes must be 1 or more; fix: pulumi config set --path 'regions[0].gpuPools[0].maxNodes' 1",
        ]);
    });

    test("every problem is reported, one line each", async () => {
        const file = devStackWith("bad2/Pulumi.dev.yaml", "    activeColor: blue", "    activeColor: purple\n    replicaz: 3");
        const run = await debug(["--config-file", file, "--plan-dir", DEV_PLAN]);
        expect(run.code).toBe(2);
        const errs = run.stderr.split("\n");
        expect(errs).toHaveLength(2);
        expect(errs).toContain(
            "modelfleet:serving.replicaz is not a known key; fix: check the spelling, or remove it: pulumi config rm --path 'serving.replicaz'",
        );
        expect(errs.some((l) => l.startsWith("modelfleet:serving.activeColor must be blue or green"))).toBe(true);
    });

    test("a YAML syntax error names the file and line", async () => {
        const file = writeFile("bad3/Pulumi.dev.yaml", "config:\n  modelfleet:regions: [\n");
        const run = await debug(["--config-file", file, "--plan-dir", DEV_PLAN]);
        expect(run.code).toBe(2);
        expect(run.stderr).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:\\d+: YAML syntax error`));
    });

    test("--stack and --config-file are exclusive, and one is required", async () => {
        expect((await debug(["--plan-dir", DEV_PLAN])).stderr).toBe("give exactly one of --stack NAME or --config-file PATH");
        expect((await debug(["--stack", "dev", "--config-file", "x.yaml"])).code).toBe(2);
        const unknown = await debug(["--stack", "dev", "--bogus"]);
        expect([unknown.code, unknown.stderr]).toEqual([2, "error: unknown option '--bogus'"]);
    });
});

describe("plan input", () => {
    test("a plan of another stack is refused", async () => {
        const run = await debug(["--stack", "dev", "--plan-dir", PROD_PLAN]);
        expect(run.code).toBe(2);
        expect(run.stderr).toBe(
            `${path.relative(process.cwd(), path.join(PROD_PLAN, "plan.json"))}: is the plan of stack 'prod', not 'dev'`,
        );
    });

    test("a missing plan says how to make one", async () => {
        const run = await debug(["--stack", "dev", "--plan-dir", path.join(workDir, "none")]);
        expect(run.code).toBe(2);
        expect(run.stderr).toMatch(/cannot read the plan: no such file or directory; run: npm run plan -- --stack dev$/);
    });

    test("a plan.json over the 64 MiB cap is refused without being read", async () => {
        const dir = path.join(workDir, "huge-plan");
        fs.mkdirSync(dir, { recursive: true });
        const file = path.join(dir, "plan.json");
        fs.closeSync(fs.openSync(file, "w"));
        fs.truncateSync(file, 65 * 1024 * 1024);
        const run = await debug(["--stack", "dev", "--plan-dir", dir]);
        expect(run.code).toBe(2);
        expect(run.stderr).toMatch(
            /plan\.json: cannot read the plan: is 68157440 bytes; the cap for this input is 64 MiB; run: npm run plan -- --stack dev$/,
        );
    });
});

describe("what each region should run", () => {
    test("the dev stack lists its region, cluster, GPU pool, workloads and host", async () => {
        const run = await debug(["--stack", "dev", "--plan-dir", DEV_PLAN]);
        expect(run.code).toBe(0);
        const out = lines(run.stdout);
        expect(out[0]).toContain("offline");
        expect(out).toContain("== use1 (aws us-east-1) ==");
        expect(out).toContain("cluster     modelfleet-dev-use1 (EKS, Kubernetes 1.33)");
        expect(out).toContain("l4  g6.xlarge  1 x nvidia-l4  on-demand  nodes min 0 max 2 initial 1  selector modelfleet.io/pool=l4");
        expect(out).toContain(
            "modelfleet/torchserve-blue  replicas 1-2 (HPA)  torchserve=pytorch/torchserve:0.12.0-gpu (1 GPU)  init model-sync=amazon/aws-cli:2.27.49",
        );
        expect(out).toContain("modelfleet/tensorzero-gateway  replicas 2  gateway=tensorzero/gateway:2025.8.2");
        expect(out).toContain("modelfleet/serving (alb)  use1.dev.serve.modelfleet.example.com");
        // The system node group is not a GPU pool.
        expect(run.stdout).not.toContain("m7i.large");
    });

    test("--json gives the same inventory as data", async () => {
        const run = await debug(["--stack", "dev", "--plan-dir", DEV_PLAN, "--json"]);
        const report = JSON.parse(run.stdout) as DebugReport;
        expect(report.offline).toBe(true);
        expect(report.kubeconfig).toBeNull();
        expect(report.regions.map((r) => r.name)).toEqual(["use1"]);
        const [use1] = report.regions;
        expect(use1.gpuPools).toEqual([
            {
                name: "l4",
                instanceTypes: ["g6.xlarge"],
                minNodes: 0,
                maxNodes: 2,
                desiredNodes: 1,
                sizeScope: "total",
                capacity: "on-demand",
                accelerators: "1 x nvidia-l4",
                nodeSelector: { "modelfleet.io/pool": "l4" },
                source: "plan",
            },
        ]);
        expect(use1.poolsNotInPlan).toEqual([]);
        expect(use1.deployments.map((d) => [d.name, d.role])).toEqual([
            ["cluster-autoscaler", "other"],
            ["torchserve-blue", "torchserve"],
            ["torchserve-green", "torchserve"],
            ["tensorzero-gateway", "gateway"],
        ]);
    });

    test("GKE pools come from the plan, an existing cluster's pools from config, and missing pools are named", async () => {
        const report = JSON.parse((await debug(["--stack", "prod", "--plan-dir", PROD_PLAN, "--json"])).stdout) as DebugReport;
        const byName = Object.fromEntries(report.regions.map((r) => [r.name, r]));
        expect(Object.keys(byName)).toEqual(["use1", "euw1", "usc1", "edge-muc"]);
        expect(byName["usc1"].gpuPools[0]).toMatchObject({
            name: "l4",
            instanceTypes: ["g2-standard-8"],
            minNodes: 1,
            maxNodes: 6,
            sizeScope: "per zone",
            accelerators: "1 x nvidia-l4",
        });
        expect(byName["edge-muc"].gpuPools).toEqual([
            {
                name: "t4",
                instanceTypes: [],
                accelerators: "1 x nvidia-t4",
                nodeSelector: { "modelfleet.io/gpu-pool": "t4" },
                source: "config",
            },
        ]);
        expect(byName["use1"].poolsNotInPlan).toEqual(["l4", "a10g-spot"]);
        expect(byName["edge-muc"].models).toEqual(["resnet50"]);
    });
});

describe("commands", () => {
    test("without a kubeconfig no kubectl command is printed, only the curl checks", async () => {
        const run = await debug(["--stack", "dev", "--plan-dir", DEV_PLAN]);
        expect(run.stdout).toContain("kubeconfig  none");
        expect(lines(run.stdout).filter((l) => /^(kubectl|aws|gcloud|pulumi|CLUSTER=)/.test(l))).toEqual([]);
        expect(lines(run.stdout)).toContain("curl -sS https://use1.dev.serve.modelfleet.example.com/ping");
        expect(lines(run.stdout)).toContain('curl -sS -T "$INPUT_FILE" https://use1.dev.serve.modelfleet.example.com/predictions/resnet50');
    });

    test("with --kubeconfig, every region gets kubectl commands naming that file and the region's context", async () => {
        const file = kubeconfig("kc/other.yaml", ["somewhere-else"]);
        const out = lines((await debug(["--stack", "dev", "--plan-dir", DEV_PLAN, "--kubeconfig", file])).stdout);
        const k = `kubectl --kubeconfig ${file} --context modelfleet-dev-use1`;
        // The context is not in the file yet: the command that adds it comes first.
        expect(out).toContain(
            `aws eks update-kubeconfig --region us-east-1 --name modelfleet-dev-use1 --alias modelfleet-dev-use1 --kubeconfig ${file}`,
        );
        for (const command of [
            `${k} get nodes -l modelfleet.io/pool=l4 -L node.kubernetes.io/instance-type,topology.kubernetes.io/zone`,
            `${k} get pods -n modelfleet -o wide`,
            `${k} exec -n modelfleet deploy/torchserve-blue -c torchserve -- ${inPod("http://127.0.0.1:8081/models")}`,
            `${k} exec -n modelfleet deploy/torchserve-blue -c torchserve -- ${inPod("http://127.0.0.1:8081/models/resnet50")}`,
            `${k} exec -n modelfleet deploy/torchserve-green -c torchserve -- ${inPod("http://127.0.0.1:8080/ping")}`,
            `${k} logs -n modelfleet deploy/torchserve-green -c model-sync`,
            `${k} get nodes -l modelfleet.io/pool=l4 -o 'custom-columns=NAME:.metadata.name,GPUS:.status.allocatable.nvidia\\.com/gpu'`,
            `${k} exec -n modelfleet deploy/torchserve-blue -c torchserve -- nvidia-smi`,
            `${k} get daemonset -n kube-system nvidia-device-plugin -o wide`,
            `${k} get events -n modelfleet --field-selector type=Warning --sort-by=.lastTimestamp`,
        ]) {
            expect(out).toContain(command);
        }
        // Namespace commands cover the serving namespace, not the controllers' kube-system.
        expect(out.filter((l) => l.includes(" -n kube-system") && !l.includes("daemonset"))).toEqual([]);
        // Per-model detail only for the active track (blue in the dev stack).
        expect(out).not.toContain(
            `${k} exec -n modelfleet deploy/torchserve-green -c torchserve -- ${inPod("http://127.0.0.1:8081/models/resnet50")}`,
        );
    });

    test("a kubeconfig from KUBECONFIG that has the context: no setup, no --kubeconfig flag", async () => {
        const file = kubeconfig("kc/env.yaml", ["modelfleet-dev-use1"]);
        const run = await debug(["--stack", "dev", "--plan-dir", DEV_PLAN], {
            env: { KUBECONFIG: [path.join(workDir, "missing.yaml"), file].join(path.delimiter) },
        });
        expect(run.stdout).toContain(`kubeconfig  ${file} (KUBECONFIG): 1 context(s)`);
        expect(run.stdout).not.toContain("# setup");
        expect(lines(run.stdout)).toContain("kubectl --context modelfleet-dev-use1 cluster-info");
    });

    test("~/.kube/config is used when nothing else is given", async () => {
        const home = fs.mkdtempSync(path.join(workDir, "home-"));
        fs.mkdirSync(path.join(home, ".kube"));
        fs.writeFileSync(path.join(home, ".kube", "config"), "apiVersion: v1\nkind: Config\ncontexts: []\n");
        const run = await debug(["--stack", "dev", "--plan-dir", DEV_PLAN], { homeDir: home });
        expect(run.stdout).toContain("(~/.kube/config): 0 context(s)");
        expect(lines(run.stdout)).toContain(
            "aws eks update-kubeconfig --region us-east-1 --name modelfleet-dev-use1 --alias modelfleet-dev-use1",
        );
        expect(lines(run.stdout)).toContain("kubectl --context modelfleet-dev-use1 cluster-info");
    });

    test("GKE and existing clusters get their own setup; a cluster without a plain name is looked up in the stack outputs", async () => {
        const file = kubeconfig("kc/prod.yaml", []);
        const out = lines((await debug(["--stack", "prod", "--plan-dir", PROD_PLAN, "--kubeconfig", file])).stdout);
        expect(out).toContain(
            `KUBECONFIG=${file} gcloud container clusters get-credentials modelfleet-prod-usc1 --region us-central1 --project modelfleet-prod`,
        );
        expect(out).toContain(
            `kubectl --kubeconfig ${file} config rename-context gke_modelfleet-prod_us-central1_modelfleet-prod-usc1 modelfleet-prod-usc1`,
        );
        expect(out).toContain(
            "(umask 077; pulumi config get --path 'kubeconfigs.edge-muc' --stack prod > modelfleet-prod-edge-muc.kubeconfig)",
        );
        expect(out).toContain(
            "kubectl --kubeconfig modelfleet-prod-edge-muc.kubeconfig get nodes -l modelfleet.io/gpu-pool=t4 -L node.kubernetes.io/instance-type,topology.kubernetes.io/zone",
        );
        expect(out).toContain(
            `CLUSTER=$(pulumi stack output clusterNames --stack prod --json | node -p 'JSON.parse(require("fs").readFileSync(0, "utf8"))["use1"]')`,
        );
        expect(out).toContain(
            `aws eks update-kubeconfig --region us-east-1 --name "$CLUSTER" --alias modelfleet-prod-use1 --kubeconfig ${file}`,
        );
        expect(out).toContain("#   the plan has no TorchServe Deployment in this region");
        expect(out).toContain(`kubectl --kubeconfig ${file} --context modelfleet-prod-use1 get pods -n modelfleet -o wide`);
    });

    test("a --kubeconfig that does not exist exits 2", async () => {
        const run = await debug(["--stack", "dev", "--plan-dir", DEV_PLAN, "--kubeconfig", path.join(workDir, "nope.yaml")]);
        expect(run.code).toBe(2);
        expect(run.stderr).toBe(`--kubeconfig ${path.join(workDir, "nope.yaml")}: no such file`);
    });
});

describe("with the real offline plan", () => {
    test("runs the plan of the dev stack in-process and lists its cluster, pool and serving workloads", async () => {
        const out = path.join(workDir, "plan-dev");
        const run = await debug(["--stack", "dev", "--out", out, "--json"]);
        expect(run.stderr).toBe("");
        expect(run.code).toBe(0);
        expect(fs.existsSync(path.join(out, "plan.json"))).toBe(true);
        // The folder is the plan's own now: a second run replaces it.
        expect(JSON.parse(fs.readFileSync(path.join(out, ".modelfleet-output.json"), "utf8")).files).toContain("plan.json");
        const again = await debug(["--stack", "dev", "--out", out, "--json"]);
        expect([again.code, again.stderr]).toEqual([0, ""]);
        const report = JSON.parse(run.stdout) as DebugReport;
        expect(report.regions.map((r) => [r.name, r.cloud, r.location])).toEqual([["use1", "aws", "us-east-1"]]);
        const [use1] = report.regions;
        expect(use1.clusters).toEqual([{ name: "modelfleet-dev-use1", type: "aws:eks/cluster:Cluster", version: "1.33" }]);
        expect(use1.gpuPools).toEqual([
            expect.objectContaining({
                name: "l4",
                instanceTypes: ["g6.xlarge"],
                minNodes: 0,
                maxNodes: 4,
                nodeSelector: { "modelfleet.io/pool": "l4" },
                source: "plan",
            }),
        ]);
        expect(use1.poolsNotInPlan).toEqual([]);
        const serving = use1.deployments.filter((d) => d.namespace === "modelfleet").map((d) => [d.name, d.role]);
        expect(serving).toEqual([
            ["torchserve-blue", "torchserve"],
            ["torchserve-green", "torchserve"],
            ["tensorzero-gateway", "gateway"],
        ]);
        expect(use1.ingresses.flatMap((i) => i.hosts)).toContain("use1.dev.serve.modelfleet.example.com");
    });
});
