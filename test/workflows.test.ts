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
    name?: string;
    uses?: string;
    run?: string;
    if?: string;
    with?: Record<string, unknown>;
    env?: Record<string, unknown>;
}

interface Job {
    needs?: string | string[];
    environment?: string | { name: string };
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

    test("every action is pinned to at least a major version", () => {
        const unpinned = allSteps.filter(
            ({ step }) => step.uses !== undefined && !/^[\w.-]+\/[\w./-]+@(v\d+(\.\d+){0,2}|[0-9a-f]{40})$/.test(step.uses),
        );
        expect(unpinned.map((s) => `${s.where}: ${s.step.uses}`)).toEqual([]);
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
        // The only secret a workflow reads is the Pulumi token (and the job's own GitHub token).
        expect([...new Set(text.match(/secrets\.[A-Za-z_]+/g))].sort()).toEqual(["secrets.GITHUB_TOKEN", "secrets.PULUMI_ACCESS_TOKEN"]);
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
                    /^(aws-actions\/configure-aws-credentials|google-github-actions\/auth)@/.test(s.uses ?? ""),
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
        // Every stack names its own preview role variable.
        const include = wf.jobs["preview"].strategy?.matrix.include ?? [];
        expect(include.map((e) => e["awsPreviewRoleVar"])).toEqual(
            include.map((e) => `AWS_PREVIEW_ROLE_ARN_${String(e["stack"]).toUpperCase()}`),
        );
        expect(wf.jobs["offline-plan"].steps.map((s) => s.run)).toContain("npm run plan -- --stack ${{ matrix.stack }}");
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
        expect(pulumi?.env).toEqual({ PULUMI_ACCESS_TOKEN: "${{ secrets.PULUMI_ACCESS_TOKEN }}" });
        for (const stack of stacks) expect(fs.existsSync(path.join(ROOT, "policy", "config", `${stack}.json`))).toBe(true);
        const setup = job.steps.find((s) => s.uses?.startsWith("actions/setup-node@"));
        expect(setup?.with).toEqual({ "node-version": 20, cache: "npm" });
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
            expect(pulumi?.env).toEqual({ PULUMI_ACCESS_TOKEN: "${{ secrets.PULUMI_ACCESS_TOKEN }}" });
        }
    });

    test("builds the LLM-track image once and pushes it to the stack's registries, every action pinned by commit", () => {
        const job = wf.jobs["llm-image"] as Job & { if?: string; outputs?: Record<string, string> };
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
