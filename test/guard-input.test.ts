/**
 * The guard reads its input as kubectl and Helm do, and no input makes it hang, print a stack
 * trace or read without bound.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { EXIT, main } from "../tools/guard";
import type { PolicyReport } from "../tools/contracts";

let dir: string;
beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "guard-input-"));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

async function guard(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
    let out = "";
    let err = "";
    const code = await main(argv, { out: (t) => (out += t), err: (t) => (err += t) });
    return { code, out, err };
}

function write(name: string, text: string): string {
    const file = path.join(dir, name);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
    return file;
}

/** Mandatory violations as `policy: message`, from the JSON report. */
async function violations(file: string): Promise<{ code: number; found: string[]; err: string }> {
    const result = await guard(file, "--json");
    if (result.code === EXIT.badInput) return { code: result.code, found: [], err: result.err };
    const report = JSON.parse(result.out) as PolicyReport;
    return { code: result.code, found: report.violations.map((v) => `${v.policy}: ${v.message}`), err: result.err };
}

/**
 * A Pod that meets every policy; `pod` lines go into its spec, `container` lines replace the
 * container's securityContext, `volumes` is the spec's volumes value.
 */
function pod(options: { pod?: string; securityContext?: string; volumes?: string } = {}): string {
    return [
        "apiVersion: v1",
        "kind: Pod",
        "metadata: { name: p, namespace: serving }",
        "spec:",
        "  securityContext: { runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: RuntimeDefault } }",
        ...(options.pod === undefined ? [] : [`  ${options.pod}`]),
        "  containers:",
        "    - name: c",
        "      image: busybox:1.36",
        "      resources: { requests: { cpu: 100m, memory: 64Mi }, limits: { memory: 64Mi } }",
        `      securityContext: ${options.securityContext ?? "{ allowPrivilegeEscalation: false, capabilities: { drop: [ALL] } }"}`,
        ...(options.volumes === undefined ? [] : [`  volumes: ${options.volumes}`]),
        "",
    ].join("\n");
}

const HARDENED = "allowPrivilegeEscalation: false, capabilities: { drop: [ALL] }";

test("the base Pod of these tests passes every policy", async () => {
    expect(await violations(write("pod.yaml", pod()))).toEqual({ code: EXIT.clean, found: [], err: "" });
});

describe("YAML 1.1 scalars are read as kubectl reads them (go-yaml v2 booleans)", () => {
    test.each([
        ["hostNetwork: yes", "no-host-access: Pod serving/p sets hostNetwork: true."],
        ["hostPID: Y", "no-host-access: Pod serving/p sets hostPID: true."],
        ["hostIPC: On", "no-host-access: Pod serving/p sets hostIPC: true."],
    ])("%s is true and refused", async (line, message) => {
        const result = await violations(write("pod.yaml", pod({ pod: line })));
        expect(result.found).toEqual([message]);
        expect(result.code).toBe(EXIT.mandatoryViolation);
    });

    test.each(["hostNetwork: no", "hostPID: n", "hostIPC: OFF"])("%s is false and passes", async (line) => {
        expect(await violations(write("pod.yaml", pod({ pod: line })))).toEqual({ code: EXIT.clean, found: [], err: "" });
    });

    test("privileged: on is refused, privileged: off passes", async () => {
        const on = await violations(write("on.yaml", pod({ securityContext: `{ ${HARDENED}, privileged: on }` })));
        expect(on.found).toEqual(['pod-security-restricted: Pod serving/p: container "c": privileged is true.']);
        expect(on.code).toBe(EXIT.mandatoryViolation);
        const off = await violations(write("off.yaml", pod({ securityContext: `{ ${HARDENED}, privileged: off }` })));
        expect(off).toEqual({ code: EXIT.clean, found: [], err: "" });
    });
});

describe("merge keys (<<) are applied as kubectl applies them", () => {
    test("a securityContext merged in from <<: {privileged: true} is refused; privileged: false passes", async () => {
        const merged = await violations(write("a.yaml", pod({ securityContext: `{ <<: { privileged: true }, ${HARDENED} }` })));
        expect(merged.found).toEqual(['pod-security-restricted: Pod serving/p: container "c": privileged is true.']);
        expect(merged.code).toBe(EXIT.mandatoryViolation);
        const fine = await violations(write("b.yaml", pod({ securityContext: `{ <<: { privileged: false }, ${HARDENED} }` })));
        expect(fine).toEqual({ code: EXIT.clean, found: [], err: "" });
    });

    test("a key written beside << wins over the merged one, as in go-yaml", async () => {
        const text = pod({ securityContext: `{ <<: { privileged: true }, privileged: false, ${HARDENED} }` });
        expect(await violations(write("pod.yaml", text))).toEqual({ code: EXIT.clean, found: [], err: "" });
    });

    test("a merge through an anchor and alias is followed", async () => {
        const text = pod({ securityContext: `{ ${HARDENED} }` }).replace(
            "  containers:",
            "  containers:\n    - name: base\n      image: busybox:1.36\n      resources: &res { requests: { cpu: 100m, memory: 64Mi }, limits: { memory: 64Mi } }\n" +
                "      securityContext: &sc { privileged: true, allowPrivilegeEscalation: false, capabilities: { drop: [ALL] } }",
        );
        const result = await violations(write("pod.yaml", text.replace(`{ ${HARDENED} }`, "{ <<: *sc, privileged: false }")));
        expect(result.found).toEqual(['pod-security-restricted: Pod serving/p: container "base": privileged is true.']);
    });

    test("a hostPath volume merged in from << is refused; an emptyDir passes", async () => {
        const host = await violations(write("a.yaml", pod({ volumes: "[{ name: host, <<: { hostPath: { path: /var/run } } }]" })));
        expect(host.found).toEqual(['no-host-access: Pod serving/p mounts hostPath volume "host".']);
        expect(host.code).toBe(EXIT.mandatoryViolation);
        const empty = await violations(write("b.yaml", pod({ volumes: "[{ name: scratch, <<: { emptyDir: {} } }]" })));
        expect(empty).toEqual({ code: EXIT.clean, found: [], err: "" });
    });

    test("a Service whose type NodePort comes from << is refused; ClusterIP passes", async () => {
        const service = (type: string) =>
            `apiVersion: v1\nkind: Service\nmetadata: { name: s, namespace: serving }\nspec: { <<: { type: ${type} }, ports: [{ port: 80 }] }\n`;
        const nodePort = await violations(write("a.yaml", service("NodePort")));
        expect(nodePort.found).toEqual(["service-no-nodeport: Service serving/s is of type NodePort."]);
        expect(nodePort.code).toBe(EXIT.mandatoryViolation);
        expect(await violations(write("b.yaml", service("ClusterIP")))).toEqual({ code: EXIT.clean, found: [], err: "" });
    });
});

test("a key twice in one mapping is refused, as kubectl --validate=strict (its default) refuses duplicate fields", async () => {
    const file = write("dup.yaml", pod({ pod: "hostNetwork: false\n  hostNetwork: true" }));
    const result = await guard(file);
    expect(result.code).toBe(EXIT.badInput);
    expect(result.err).toContain(`guard: ${file}: document 1: malformed YAML at line 7, column 3: Map keys must be unique`);
    expect(result.out).toBe("");
});

test("an alias bomb is refused, naming the file", async () => {
    const lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"];
    for (let i = 1; i < 9; i++)
        lines.push(
            `${"abcdefghij"[i]}: &${"abcdefghij"[i]} [${Array(10)
                .fill(`*${"abcdefghij"[i - 1]}`)
                .join(", ")}]`,
        );
    const file = write("bomb.yaml", `${lines.join("\n")}\n`);
    const result = await guard(file);
    expect(result.code).toBe(EXIT.badInput);
    expect(result.err).toContain(`guard: ${file}: document 1 (line 1): cannot be read: Excessive alias count`);
});

describe("any object that carries a pod template is a workload, whatever its kind", () => {
    const rollout = (securityContext: string) =>
        [
            "apiVersion: argoproj.io/v1alpha1",
            "kind: Rollout",
            "metadata: { name: r, namespace: serving }",
            "spec:",
            "  strategy: { canary: { steps: [{ setWeight: 20 }] } }",
            "  template:",
            "    spec:",
            "      securityContext: { runAsNonRoot: true, seccompProfile: { type: RuntimeDefault } }",
            "      containers:",
            "        - name: c",
            "          image: busybox:1.36",
            "          resources: { requests: { cpu: 100m, memory: 64Mi }, limits: { memory: 64Mi } }",
            `          securityContext: ${securityContext}`,
            "",
        ].join("\n");

    test("an Argo Rollout with a privileged container fails; a hardened one passes", async () => {
        const bad = await violations(write("a.yaml", rollout(`{ ${HARDENED}, privileged: true }`)));
        expect(bad.found).toEqual(['pod-security-restricted: Rollout serving/r: container "c": privileged is true.']);
        expect(bad.code).toBe(EXIT.mandatoryViolation);
        expect(await violations(write("b.yaml", rollout(`{ ${HARDENED} }`)))).toEqual({ code: EXIT.clean, found: [], err: "" });
    });

    test("a custom kind with spec.jobTemplate.spec.template is inspected; one without a pod template is not", async () => {
        const crd = [
            "apiVersion: apiextensions.k8s.io/v1",
            "kind: CustomResourceDefinition",
            "metadata: { name: batches.example.com }",
            "spec: { group: example.com, scope: Namespaced, names: { kind: Batch, plural: batches }, versions: [{ name: v1 }] }",
            "---",
            "apiVersion: example.com/v1",
            "kind: Batch",
            "metadata: { name: b, namespace: serving }",
            "spec:",
            "  jobTemplate:",
            "    spec:",
            "      template:",
            "        spec:",
            "          hostNetwork: true",
            "          securityContext: { runAsNonRoot: true, seccompProfile: { type: RuntimeDefault } }",
            "          containers:",
            "            - name: c",
            "              image: busybox:1.36",
            "              resources: { requests: { cpu: 100m, memory: 64Mi }, limits: { memory: 64Mi } }",
            `              securityContext: { ${HARDENED} }`,
            "---",
            "apiVersion: example.com/v1",
            "kind: Batch",
            "metadata: { name: plain, namespace: serving }",
            "spec: { template: { note: not a pod } }",
            "",
        ].join("\n");
        const result = await violations(write("batch.yaml", crd));
        expect(result.found).toEqual(["no-host-access: Batch serving/b sets hostNetwork: true."]);
        expect(result.code).toBe(EXIT.mandatoryViolation);
    });
});

describe("what the guard reads from directories", () => {
    const BAD_SERVICE = "apiVersion: v1\nkind: Service\nmetadata: { name: s, namespace: serving }\nspec: { type: NodePort }\n";

    test("a symlinked cluster directory is followed and checked", async () => {
        write("elsewhere/use1/svc.yaml", BAD_SERVICE);
        fs.mkdirSync(path.join(dir, "manifests"));
        fs.symlinkSync(path.join(dir, "elsewhere", "use1"), path.join(dir, "manifests", "use1"));
        const result = await guard(path.join(dir, "manifests"));
        expect(result.code).toBe(EXIT.mandatoryViolation);
        expect(result.out).toContain(
            `MANDATORY service-no-nodeport  [${path.join(dir, "manifests", "use1", "svc.yaml")}: document 1 (line 1)]`,
        );
    });

    test("a symbolic link loop is skipped with a note, not followed forever", async () => {
        write("manifests/use1/svc.yaml", BAD_SERVICE);
        fs.symlinkSync(path.join(dir, "manifests"), path.join(dir, "manifests", "use1", "loop"));
        const result = await guard(path.join(dir, "manifests"));
        expect(result.code).toBe(EXIT.mandatoryViolation);
        expect(result.out).toContain("guard: 1 resource(s) from 1 file(s)");
        expect(result.err).toContain(`guard: note: ${path.join(dir, "manifests", "use1", "loop")}: links back to`);
    });

    test("an empty directory, a directory without YAML and a file without objects exit 2", async () => {
        fs.mkdirSync(path.join(dir, "empty"));
        const empty = await guard(path.join(dir, "empty"));
        expect(empty.code).toBe(EXIT.badInput);
        expect(empty.err).toContain(`guard: no YAML or plan.json file found in ${path.join(dir, "empty")}; nothing was checked`);

        write("chart/NOTES.txt", "not yaml");
        expect((await guard(path.join(dir, "chart"))).code).toBe(EXIT.badInput);

        const comments = write("comments.yaml", "# nothing here\n---\n");
        const none = await guard(comments);
        expect(none.code).toBe(EXIT.badInput);
        expect(none.err).toContain("guard: no Kubernetes object found in 1 file(s); nothing was checked");
    });

    test("a FIFO named *.yaml is refused at once, in a directory or named directly", async () => {
        const fifo = path.join(dir, "manifests", "pipe.yaml");
        fs.mkdirSync(path.dirname(fifo));
        execFileSync("mkfifo", [fifo]);
        write("manifests/svc.yaml", BAD_SERVICE);
        const inDir = await guard(path.join(dir, "manifests"));
        expect(inDir.code).toBe(EXIT.badInput);
        expect(inDir.err).toContain(`guard: ${fifo}: is a FIFO, not a regular file`);
        const named = await guard(fifo);
        expect(named.code).toBe(EXIT.badInput);
        expect(named.err).toContain(`guard: ${fifo}: is a FIFO, not a regular file`);
    });

    test("the offline plan's folder gets a hint at manifests/ instead of duplicate errors", async () => {
        write("out/prod/plan.json", JSON.stringify({ project: "modelfleet", stack: "prod", resources: [], outputs: {} }));
        write("out/prod/manifests/use1/svc.yaml", BAD_SERVICE);
        write("out/prod/manifests/euw1/svc.yaml", BAD_SERVICE);
        const folder = path.join(dir, "out", "prod");
        const result = await guard(folder);
        expect(result.code).toBe(EXIT.badInput);
        expect(result.err).toContain(
            `guard: ${folder}: is an offline plan's folder; check its Kubernetes objects with \`npm run guard -- ${path.join(folder, "manifests")}\``,
        );
        expect(result.err).not.toContain("defined twice");
    });
});

describe("input size caps", () => {
    test("/dev/zero is refused as not a regular file", async () => {
        const result = await guard("/dev/zero");
        expect(result.code).toBe(EXIT.badInput);
        expect(result.err).toBe(
            "guard: /dev/zero: is a character device, not a regular file\nguard: 1 input problem(s); no policy verdict given.\n",
        );
    });

    test("a YAML file over 8 MiB and any file over 64 MiB are refused without being parsed", async () => {
        const yaml = path.join(dir, "big.yaml");
        fs.writeFileSync(yaml, `# ${"x".repeat(8 * 1024 * 1024)}\n`);
        const big = await guard(yaml);
        expect(big.code).toBe(EXIT.badInput);
        expect(big.err).toContain(`guard: ${yaml}: is 8388611 bytes of YAML; the cap for one YAML file is 8 MiB, split it`);

        const huge = path.join(dir, "plan.json");
        fs.closeSync(fs.openSync(huge, "w"));
        fs.truncateSync(huge, 65 * 1024 * 1024);
        const refused = await guard(huge);
        expect(refused.code).toBe(EXIT.badInput);
        expect(refused.err).toContain(`guard: ${huge}: is 68157440 bytes; the cap for this input is 64 MiB`);
    });
});

test("YAML files together over 16 MiB are refused, naming the file that passes the cap", async () => {
    const files = ["a", "b", "c"].map((name) => write(`many/${name}.yaml`, `# ${"x".repeat(6 * 1024 * 1024)}\n`));
    const result = await guard(path.join(dir, "many"));
    expect(result.code).toBe(EXIT.badInput);
    expect(result.err).toContain(`guard: ${files[2]}: the YAML files together pass 16 MiB, the cap per run; check fewer at a time`);
});

describe("flags", () => {
    test("--stack takes a stack name only, never a path", async () => {
        const file = write("pod.yaml", pod());
        for (const stack of ["../../etc/passwd", "policy/config/dev.json", "/etc/hostname", ".."]) {
            const result = await guard(file, "--stack", stack);
            expect(result.code).toBe(EXIT.badInput);
            expect(result.err).toBe(
                `guard: --stack ${JSON.stringify(stack)} is not a stack name (letters, digits, "-", "_", "."); ` +
                    "stacks with a policy config: dev, prod; for another file use --policy-config FILE\n",
            );
        }
    });

    test("unknown flags and bad values exit 2 with one line", async () => {
        const file = write("pod.yaml", pod());
        const unknown = await guard(file, "--bogus");
        expect(unknown.code).toBe(EXIT.badInput);
        expect(unknown.err).toBe("error: unknown option '--bogus'\n");
        const namespace = await guard(file, "--namespace", "Bad_NS");
        expect(namespace.code).toBe(EXIT.badInput);
        expect(namespace.err).toContain('guard: --namespace "Bad_NS" is not a namespace name');
        const config = await guard(file, "--policy-config", "/dev/zero");
        expect(config.code).toBe(EXIT.badInput);
        expect(config.err).toBe("guard: --policy-config /dev/zero: is a character device, not a regular file\n");
    });
});
