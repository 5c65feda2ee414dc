import fs from "node:fs";
import path from "node:path";
import * as YAML from "yaml";

const ROOT = path.join(__dirname, "..");
const WORKFLOWS = path.join(ROOT, ".github", "workflows");
const scripts = Object.keys(
    (JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts,
);
const stacks = fs
    .readdirSync(ROOT)
    .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
    .filter((s): s is string => s !== undefined)
    .sort();

interface Step {
    id?: string;
    name?: string;
    uses?: string;
    "continue-on-error"?: boolean;
    run?: string;
    "working-directory"?: string;
    if?: string;
    with?: Record<string, unknown>;
    env?: Record<string, unknown>;
}

interface Job {
    "runs-on"?: string;
    needs?: string | string[];
    environment?: string | { name: string };
    if?: string;
    permissions?: Record<string, string>;
    concurrency?: { group: string; "cancel-in-progress"?: boolean };
    strategy?: { matrix: { stack?: string[]; include?: Array<Record<string, unknown>> } };
    steps: Step[];
}

interface Workflow {
    on: Record<string, unknown>;
    permissions?: Record<string, string>;
    jobs: Record<string, Job>;
}

function load(file: string): Workflow {
    const doc = YAML.parseDocument(fs.readFileSync(path.join(WORKFLOWS, file), "utf8"), { uniqueKeys: true });
    expect(doc.errors).toEqual([]);
    return doc.toJS() as Workflow;
}

const workflows = Object.fromEntries(
    fs
        .readdirSync(WORKFLOWS)
        .filter((f) => /\.ya?ml$/.test(f))
        .map((f) => [f, load(f)]),
) as Record<string, Workflow>;

const allSteps = Object.entries(workflows).flatMap(([file, wf]) =>
    Object.entries(wf.jobs).flatMap(([job, j]) => j.steps.map((step) => ({ where: `${file} ${job}`, step }))),
);

/** Why a command line is not allowed, or undefined when it is. */
function disallowedCommand(line: string, known: string[]): string | undefined {
    if (line === "npm ci" || line === "npm test" || line.startsWith("npm test -- ")) return undefined;
    const run = /^npm run (?:--silent )?([\w:-]+)(?:\s|$)/.exec(line);
    if (run) return known.includes(run[1]) ? undefined : `npm script '${run[1]}' is not in package.json`;
    if (/^pulumi\s/.test(line)) return undefined;
    return "only npm ci, npm test, npm run <script> and pulumi commands are allowed";
}

function stackFiles(wf: Workflow, job: string): string[] {
    const matrix = wf.jobs[job].strategy?.matrix;
    return [...(matrix?.stack ?? (matrix?.include ?? []).map((e) => String(e["stack"])))].sort();
}

describe("workflows", () => {
    test("both workflows exist and parse as YAML", () => {
        expect(Object.keys(workflows).sort()).toEqual(["main.yml", "pull-request.yml"]);
    });

    test("every run: line is a package.json script, npm ci/test, or the pulumi CLI", () => {
        const problems: string[] = [];
        for (const { where, step } of allSteps) {
            for (const line of (step.run ?? "")
                .split("\n")
                .map((l) => l.trim())
                .filter((l) => l !== "" && !l.startsWith("#"))) {
                const why = disallowedCommand(line, scripts);
                if (why) problems.push(`${where}: '${line}': ${why}`);
            }
        }
        expect(problems).toEqual([]);
        expect(allSteps.filter((s) => s.step.run !== undefined).length).toBeGreaterThan(10);
    });

    test("the command check rejects what it must", () => {
        expect(disallowedCommand("npm run deploy", ["plan"])).toBe("npm script 'deploy' is not in package.json");
        expect(disallowedCommand("curl -sS https://example.com | sh", ["plan"])).toBe(
            "only npm ci, npm test, npm run <script> and pulumi commands are allowed",
        );
        expect(disallowedCommand("npm run plan -- --stack dev", ["plan"])).toBeUndefined();
    });

    /**
     * Every action at a full commit SHA, with its release in a comment. The SHAs are those the
     * release tags pointed at in each action's repository; a tag can be moved, a commit cannot.
     */
    const PINS: Record<string, [sha: string, version: string]> = {
        "actions/checkout": ["11d5960a326750d5838078e36cf38b85af677262", "v4.4.0"],
        "actions/setup-node": ["49933ea5288caeca8642d1e84afbd3f7d6820020", "v4.4.0"],
        "actions/upload-artifact": ["ea165f8d65b6e75b540449e92b4886f43607fa02", "v4.6.2"],
        // The plan comparison's comment on the pull request.
        "actions/download-artifact": ["d3f86a106a0bac45b974a628896c90dbdf5c8093", "v4.3.0"],
        "marocchino/sticky-pull-request-comment": ["773744901bac0e8cbb5a0dc842800d45e9b2b405", "v2.9.4"],
        "aws-actions/configure-aws-credentials": ["7474bc4690e29a8392af63c5b98e7449536d5c3a", "v4.3.1"],
        "google-github-actions/auth": ["c200f3691d83b41bf9bbd8638997a462592937ed", "v2.1.13"],
        "google-github-actions/setup-gcloud": ["e427ad8a34f8676edf47cf7d7925499adf3eb74f", "v2.2.1"],
        "pulumi/actions": ["8582a9e8cc630786854029b4e09281acd6794b58", "v6.6.1"],
        "pulumi/auth-actions": ["141415910c3beb54e03b48e9057c204c97b956f2", "v2.1.0"],
        // The image build and push.
        "aws-actions/amazon-ecr-login": ["03f1aad4c6c7ffd436567f42f9384779290529bd", "v2.1.7"],
        "docker/login-action": ["c94ce9fb468520275223c153574b00df6fe4bcc9", "v3.7.0"],
        "docker/setup-buildx-action": ["8d2750c68a42422c14e847fe6c8ac0403b4cbd6f", "v3.12.0"],
        "docker/metadata-action": ["c299e40c65443455700f0fdfc63efafe5b349051", "v5.10.0"],
        "docker/build-push-action": ["10e90e3645eae34f1e60eeb005ba3a3d33f178e8", "v6.19.2"],
    };

    /** Why a `uses:` line is not pinned as required, or undefined when it is. */
    function unpinned(line: string): string | undefined {
        const match = /^\s*(?:- )?uses: ([\w.-]+\/[\w./-]+)@(\S+)(?: # (v\d+\.\d+\.\d+))?$/.exec(line);
        if (!match) return "not of the form `uses: owner/repo@<sha> # vX.Y.Z`";
        const [, action, ref, version] = match;
        if (!/^[0-9a-f]{40}$/.test(ref)) return `${action} is pinned to "${ref}", not a full commit SHA`;
        if (version === undefined) return `${action}@${ref} has no "# vX.Y.Z" comment`;
        const pin = PINS[action];
        if (pin === undefined) return `${action} is not in the table of verified pins`;
        if (pin[0] !== ref || pin[1] !== version) return `${action}@${ref} # ${version} is not the verified ${pin[0]} # ${pin[1]}`;
        return undefined;
    }

    test("every action is pinned by full commit SHA, with its version in a comment", () => {
        const lines = Object.keys(workflows).flatMap((f) =>
            fs
                .readFileSync(path.join(WORKFLOWS, f), "utf8")
                .split("\n")
                .filter((l) => /^\s*(- )?uses:/.test(l))
                .map((l) => `${f}: ${l.trim()}: ${unpinned(l) ?? "ok"}`),
        );
        expect(lines.filter((l) => !l.endsWith(": ok"))).toEqual([]);
        expect(lines.length).toBe(allSteps.filter((s) => s.step.uses !== undefined).length);
    });

    test("the pin check refuses tags, short SHAs, missing comments and unverified SHAs", () => {
        expect(unpinned("      - uses: actions/checkout@v4")).toBe('actions/checkout is pinned to "v4", not a full commit SHA');
        expect(unpinned("      - uses: actions/checkout@11d5960 # v4.4.0")).toBe(
            'actions/checkout is pinned to "11d5960", not a full commit SHA',
        );
        expect(unpinned("      - uses: actions/checkout@11d5960a326750d5838078e36cf38b85af677262")).toBe(
            'actions/checkout@11d5960a326750d5838078e36cf38b85af677262 has no "# vX.Y.Z" comment',
        );
        expect(unpinned("      - uses: actions/checkout@0000000000000000000000000000000000000000 # v4.4.0")).toBe(
            "actions/checkout@0000000000000000000000000000000000000000 # v4.4.0 is not the verified 11d5960a326750d5838078e36cf38b85af677262 # v4.4.0",
        );
        expect(unpinned("      - uses: actions/checkout@11d5960a326750d5838078e36cf38b85af677262 # v4.4.0")).toBeUndefined();
    });

    test("every pulumi/actions step pins the Pulumi CLI to the SDK's version", () => {
        const sdk = (JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { dependencies: Record<string, string> })
            .dependencies["@pulumi/pulumi"];
        expect(sdk).toBe("3.248.0");
        const pulumiSteps = allSteps.filter((s) => s.step.uses?.startsWith("pulumi/actions@"));
        expect(pulumiSteps.length).toBe(3);
        for (const s of pulumiSteps) expect([s.where, s.step.with?.["pulumi-version"]]).toEqual([s.where, sdk]);
    });

    test("no static cloud key is used anywhere: credentials come only through OIDC", () => {
        const text = Object.keys(workflows)
            .map((f) => fs.readFileSync(path.join(WORKFLOWS, f), "utf8"))
            .join("\n");
        for (const name of [
            "AWS_SECRET_ACCESS_KEY",
            "AWS_ACCESS_KEY_ID",
            "aws-access-key-id",
            "aws-secret-access-key",
            "credentials_json",
            "GOOGLE_CREDENTIALS",
            "GOOGLE_APPLICATION_CREDENTIALS",
        ]) {
            expect(text).not.toContain(name);
        }
        // No stored secret at all: the Pulumi token is issued per job too; only the job's own GitHub token is read.
        expect([...new Set(text.match(/secrets\.[A-Za-z_]+/g))].sort()).toEqual(["secrets.GITHUB_TOKEN"]);
        expect(text).not.toContain("PULUMI_ACCESS_TOKEN");
        const aws = allSteps.filter((s) => s.step.uses?.startsWith("aws-actions/configure-aws-credentials@"));
        const gcp = allSteps.filter((s) => s.step.uses?.startsWith("google-github-actions/auth@"));
        expect(aws.length).toBeGreaterThan(0);
        expect(gcp.length).toBeGreaterThan(0);
        for (const s of aws) expect(s.step.with?.["role-to-assume"]).toMatch(/^\$\{\{ vars(\.[A-Z_]+|\[matrix\.\w+\]) \}\}$/);
        for (const s of gcp) expect(s.step.with?.["workload_identity_provider"]).toBe("${{ vars.GCP_WORKLOAD_IDENTITY_PROVIDER }}");
    });

    test("every job that assumes a cloud role may request an OIDC token", () => {
        for (const [file, wf] of Object.entries(workflows)) {
            for (const [name, job] of Object.entries(wf.jobs)) {
                const federates = job.steps.some((s) =>
                    /^(aws-actions\/configure-aws-credentials|google-github-actions\/auth|pulumi\/auth-actions)@/.test(s.uses ?? ""),
                );
                if (federates) expect([`${file} ${name}`, job.permissions?.["id-token"]]).toEqual([`${file} ${name}`, "write"]);
            }
        }
    });
});

describe("pull-request.yml", () => {
    const wf = workflows["pull-request.yml"];

    test("runs on pull requests, tests, and plans and previews every committed stack", () => {
        expect(Object.keys(wf.on)).toEqual(["pull_request"]);
        const checkRuns = wf.jobs["check"].steps.map((s) => s.run).filter(Boolean);
        expect(checkRuns).toEqual(["npm ci", "npm run build", "npm run lint", "npm test"]);
        expect(stackFiles(wf, "offline-plan")).toEqual(stacks);
        expect(stackFiles(wf, "preview")).toEqual(stacks);
        expect(wf.jobs["offline-plan"].steps.map((s) => s.run)).toContain(
            "npm run plan -- --stack ${{ matrix.stack }}${{ hashFiles(format('out/base/{0}/plan.json', matrix.stack)) != '' && format(' --previous out/base/{0}/plan.json', matrix.stack) || '' }}",
        );
    });

    test("plans the base branch first and gives its plan.json to the branch's plan as --previous", () => {
        const steps = wf.jobs["offline-plan"].steps;
        const baseCheckout = steps.findIndex((s) => s.uses?.startsWith("actions/checkout@") && s.with?.["path"] === "base");
        const basePlan = steps.findIndex((s) => s.name === "plan the base branch");
        const branchPlan = steps.findIndex((s) => s.run?.startsWith("npm run plan -- --stack ${{ matrix.stack }}"));
        expect(steps[baseCheckout].with).toEqual({
            ref: "${{ github.event.pull_request.base.sha }}",
            path: "base",
            "persist-credentials": false,
        });
        expect(steps[basePlan]).toMatchObject({ "working-directory": "base", "continue-on-error": true });
        expect(steps[basePlan].run).toBe("npm ci\nnpm run plan -- --stack ${{ matrix.stack }} --out ../out/base/${{ matrix.stack }}\n");
        expect(baseCheckout).toBeLessThan(basePlan);
        expect(basePlan).toBeLessThan(branchPlan);
        // The branch's plan reads what the base's plan wrote, relative to the workspace root.
        expect(steps[branchPlan].run).toContain("--previous out/base/{0}/plan.json");
        expect(steps[branchPlan]["working-directory"]).toBeUndefined();
    });

    test("uploads the plan, policy report and manifests as an artifact even when the plan fails", () => {
        const upload = wf.jobs["offline-plan"].steps.find((s) => s.uses?.startsWith("actions/upload-artifact@"));
        expect(upload?.if).toBe("always()");
        expect(upload?.with?.["path"]).toBe("out/${{ matrix.stack }}/");
    });

    test("previews with the policy pack and its per-stack config, commenting on the pull request", () => {
        const job = wf.jobs["preview"];
        expect(job.permissions).toEqual({ contents: "read", "id-token": "write", "pull-requests": "write" });
        const pulumi = job.steps.find((s) => s.uses?.startsWith("pulumi/actions@"));
        expect(pulumi?.with).toMatchObject({
            command: "preview",
            diff: true,
            "comment-on-pr": true,
            policyPacks: "policy",
            policyPackConfigs: "policy/config/${{ matrix.stack }}.json",
        });
        expect(pulumi?.env).toBeUndefined();
        // The automation API's ConfigMap: the preview's kubeconfig uses the job's read-only role.
        expect(YAML.parse(String(pulumi?.with?.["config-map"]))).toEqual({ "modelfleet:kubernetesIdentity": { value: "preview" } });
        // Updates keep the admin identity (the program refuses preview outside a preview).
        expect(JSON.stringify(workflows["main.yml"])).not.toContain("kubernetesIdentity");
        for (const stack of stacks) expect(fs.existsSync(path.join(ROOT, "policy", "config", `${stack}.json`))).toBe(true);
        const setup = job.steps.find((s) => s.uses?.startsWith("actions/setup-node@"));
        expect(setup?.with).toEqual({ "node-version": 20, cache: "npm" });
    });
});

describe("pull-request.yml: the plan comparison", () => {
    const wf = workflows["pull-request.yml"];
    const plan = wf.jobs["offline-plan"];
    const comment = wf.jobs["plan-compare-comment"];

    test("compares the base branch's plan.json with the pull request's, in the job that made both, whatever their verdicts", () => {
        expect(stackFiles(wf, "plan-compare-comment")).toEqual(stacks);
        const steps = plan.steps;
        const branchPlan = steps.findIndex((s) => s.run?.startsWith("npm run plan -- --stack ${{ matrix.stack }}"));
        const compare = steps.findIndex((s) => s.name === "compare with the base branch's plan");
        expect(compare).toBeGreaterThan(branchPlan);
        // A stack new in the pull request has no base plan: nothing to compare, and no failure.
        expect(steps[compare].if).toBe("always() && hashFiles(format('out/base/{0}/plan.json', matrix.stack)) != ''");
        expect(steps[compare].run).toBe(
            "npm run --silent plan -- --compare-files out/base/${{ matrix.stack }}/plan.json out/${{ matrix.stack }}/plan.json > out/comparison.md",
        );
        const uploads = steps.filter((s) => s.uses?.startsWith("actions/upload-artifact@")).map((s) => s.with?.["name"]);
        expect(uploads).toEqual(["offline-plan-${{ matrix.stack }}", "plan-compare-${{ matrix.stack }}"]);
        const upload = steps.find((s) => s.with?.["name"] === "plan-compare-${{ matrix.stack }}");
        expect(upload?.with).toEqual({
            name: "plan-compare-${{ matrix.stack }}",
            path: "out/comparison.md",
            "if-no-files-found": "ignore",
        });
    });

    test("least privilege: the job that runs the code only reads; the job that comments runs no code and may only write pull requests", () => {
        expect(plan.permissions).toBeUndefined();
        expect(comment.permissions).toEqual({ "pull-requests": "write" });
        expect(comment.needs).toBe("offline-plan");
        expect(comment.if).toBe("always()");
        expect(comment.steps.map((s) => s.uses?.split("@")[0])).toEqual([
            "actions/download-artifact",
            "marocchino/sticky-pull-request-comment",
        ]);
        expect(comment.steps.every((s) => s.run === undefined)).toBe(true);
        expect(comment.steps[0].with).toEqual({ name: "plan-compare-${{ matrix.stack }}" });
        expect(comment.steps[1].with).toEqual({ header: "plan-compare-${{ matrix.stack }}", path: "comparison.md" });
        // No comparison (a new stack): the download fails softly and nothing is posted.
        expect(comment.steps[0]).toMatchObject({ id: "download", "continue-on-error": true });
        expect(comment.steps[1].if).toBe("steps.download.outcome == 'success'");
        // The workflow's default, which the planning job inherits, stays read-only.
        expect(wf.permissions).toEqual({ contents: "read" });
    });
});

describe("pull-request previews run with read-only identities", () => {
    const wf = workflows["pull-request.yml"];
    const job = wf.jobs["preview"];

    test("each preview runs in its preview-<stack> environment; preview-prod is the one with reviewers (docs/ci.md)", () => {
        expect(job.environment).toBe("preview-${{ matrix.stack }}");
        const ci = fs.readFileSync(path.join(ROOT, "docs", "ci.md"), "utf8");
        expect(ci).toMatch(/\| `preview-prod` \| Required reviewers/);
    });

    test("on the preview runners, never the deploy runners", () => {
        expect(job["runs-on"]).toBe(`\${{ fromJSON(vars.PULUMI_PREVIEW_RUNNER || '"ubuntu-latest"') }}`);
        expect(JSON.stringify(job)).not.toContain("vars.PULUMI_RUNNER");
    });

    test("with the preview role, the preview service account and the preview team's Pulumi token, never a deploy identity", () => {
        expect(JSON.stringify(job)).not.toMatch(/DEPLOY|deploy/);
        expect(job.steps.find((s) => s.uses?.startsWith("aws-actions/configure-aws-credentials@"))?.with?.["role-to-assume"]).toBe(
            "${{ vars.AWS_PREVIEW_ROLE_ARN }}",
        );
        expect(job.steps.find((s) => s.uses?.startsWith("google-github-actions/auth@"))?.with?.["service_account"]).toBe(
            "${{ vars.GCP_PREVIEW_SERVICE_ACCOUNT }}",
        );
        const auth = job.steps.findIndex((s) => s.uses?.startsWith("pulumi/auth-actions@"));
        const pulumi = job.steps.findIndex((s) => s.uses?.startsWith("pulumi/actions@"));
        expect(auth).toBeGreaterThan(-1);
        expect(auth).toBeLessThan(pulumi);
        expect(job.steps[auth].with).toEqual({
            organization: "${{ vars.PULUMI_ORG }}",
            "requested-token-type": "urn:pulumi:token-type:access_token:team",
            scope: "team:modelfleet-ci-preview",
        });
    });

    test("the guard step can fail the offline-plan job", () => {
        const guard = wf.jobs["offline-plan"].steps.find((s) => s.name === "guard the rendered manifests");
        expect(guard?.run).toBe("npm run guard -- out/${{ matrix.stack }}/manifests --stack ${{ matrix.stack }}");
        expect(guard?.["continue-on-error"]).toBeUndefined();
    });
});

describe("main.yml", () => {
    const wf = workflows["main.yml"];

    test("runs on pushes to main only", () => {
        expect(wf.on).toEqual({ push: { branches: ["main"] } });
    });

    test("dev goes first; prod waits for it and for the production environment's approval", () => {
        const dev = wf.jobs["up-dev"];
        const prod = wf.jobs["up-prod"];
        expect(prod.needs).toBe("up-dev");
        expect(prod.environment).toBe("production");
        for (const [stack, job] of [
            ["dev", dev],
            ["prod", prod],
        ] as const) {
            expect(job.concurrency).toEqual({ group: `pulumi-${stack}`, "cancel-in-progress": false });
            const pulumi = job.steps.find((s) => s.uses?.startsWith("pulumi/actions@"));
            expect(pulumi?.with).toMatchObject({
                command: "up",
                "stack-name": `\${{ vars.PULUMI_ORG }}/${stack}`,
                policyPacks: "policy",
                policyPackConfigs: `policy/config/${stack}.json`,
            });
            expect(pulumi?.env).toBeUndefined();
            expect(job.steps.find((s) => s.uses?.startsWith("pulumi/auth-actions@"))?.with).toEqual({
                organization: "${{ vars.PULUMI_ORG }}",
                "requested-token-type": "urn:pulumi:token-type:access_token:team",
                scope: "team:modelfleet-ci-deploy",
            });
            expect(job["runs-on"]).toBe(`\${{ fromJSON(vars.PULUMI_RUNNER || '"ubuntu-latest"') }}`);
        }
    });

    test("builds the LLM-track image once and pushes it to the stack's registries, every action pinned by commit", () => {
        const job = wf.jobs["llm-image"] as Job & { outputs?: Record<string, string> };
        expect(job.needs).toBe("check");
        expect(job.if).toBe("vars.LLM_IMAGE_PUSH_TARGETS != ''");
        expect(job.permissions).toEqual({ contents: "read", "id-token": "write" });
        for (const step of job.steps.filter((s) => s.uses !== undefined)) expect(step.uses).toMatch(/^[\w.-]+\/[\w./-]+@[0-9a-f]{40}$/);
        const build = job.steps.find((s) => s.uses?.startsWith("docker/build-push-action@"));
        expect(build?.with).toMatchObject({ context: ".", file: "serving/llm/Dockerfile", push: true, provenance: false });
        expect(build?.with?.["tags"]).toBe("${{ steps.meta.outputs.tags }}");
        const meta = job.steps.find((s) => s.uses?.startsWith("docker/metadata-action@"));
        expect(meta?.with?.["images"]).toBe("${{ vars.LLM_IMAGE_PUSH_TARGETS }}");
        expect(job.outputs).toEqual({ digest: "${{ steps.build.outputs.digest }}" });
        // Deployments do not wait for it: a stack changes image only when its digest is committed.
        expect([wf.jobs["up-dev"].needs, wf.jobs["up-prod"].needs]).toEqual(["check", "up-dev"]);
    });
});
