/**
 * The pack on its own, as `pulumi policy publish` and Pulumi Cloud enforcement see it: the
 * `policy/` folder copied outside the workspace, installed from its own package.json and
 * lock file, and started the way the CLI starts a Node.js policy pack — the Node.js
 * language host runs `@pulumi/pulumi/cmd/run-policy-pack <engine> <pack dir>` in the pack's
 * folder, which registers ts-node with the pack's tsconfig.json (falling back to the
 * TypeScript 3.8 bundled with @pulumi/pulumi when the pack does not bring its own) and
 * requires the pack; the PolicyPack constructor then prints the analyzer's gRPC port.
 * The test then asks that server for its policies and has it judge one resource.
 */
import { spawn, spawnSync, type ChildProcess } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { isRecord } from "../policy/policies/util";

const REPO = path.resolve(__dirname, "..");
const PACK = path.join(REPO, "policy");

let copy = "";
let server: ChildProcess | undefined;

function run(command: string, args: string[], cwd: string): { status: number | null; output: string } {
    const result = spawnSync(command, args, { cwd, encoding: "utf8", timeout: 480_000 });
    return { status: result.status, output: `${result.stdout ?? ""}${result.stderr ?? ""}` };
}

/** `require` from the copy's own node_modules, so nothing of the workspace is used. */
function fromCopy(module: string): Record<string, unknown> {
    const loaded: unknown = require(require.resolve(module, { paths: [copy] }));
    if (!isRecord(loaded)) throw new Error(`${module} did not load as a module`);
    return loaded;
}

function member(value: unknown, name: string): unknown {
    return isRecord(value) || typeof value === "function" ? Reflect.get(value, name) : undefined;
}

function call(target: unknown, name: string, ...args: unknown[]): unknown {
    const fn = member(target, name);
    if (typeof fn !== "function") throw new Error(`no method ${name}`);
    return Reflect.apply(fn, target, args);
}

function construct(ctor: unknown, ...args: unknown[]): unknown {
    if (typeof ctor !== "function") throw new Error("not a constructor");
    return Reflect.construct(ctor, args);
}

/** One unary gRPC call, as a promise of the response message. */
function unary(client: unknown, method: string, request: unknown): Promise<unknown> {
    return new Promise((resolve, reject) => {
        call(client, method, request, (err: unknown, response: unknown) => (err ? reject(err) : resolve(response)));
    });
}

function portLine(child: ChildProcess): Promise<number> {
    return new Promise((resolve, reject) => {
        let out = "";
        let err = "";
        child.stdout?.on("data", (chunk: Buffer) => {
            out += chunk.toString();
            const match = /^(\d+)\s*$/m.exec(out);
            if (match) resolve(Number(match[1]));
        });
        child.stderr?.on("data", (chunk: Buffer) => (err += chunk.toString()));
        child.on("exit", (code) => reject(new Error(`the pack exited ${code} before serving:\n${out}${err}`)));
    });
}

beforeAll(() => {
    copy = fs.mkdtempSync(path.join(os.tmpdir(), "modelfleet-pack-"));
    for (const entry of fs.readdirSync(PACK)) {
        if (entry === "node_modules") continue;
        fs.cpSync(path.join(PACK, entry), path.join(copy, entry), { recursive: true });
    }
}, 60_000);

afterAll(() => {
    if (server?.pid !== undefined && server.exitCode === null) process.kill(server.pid);
    if (copy !== "" && path.basename(copy).startsWith("modelfleet-pack-")) fs.rmSync(copy, { recursive: true, force: true });
});

describe("the policy pack outside the workspace", () => {
    test("the copy is not inside the repository, so nothing resolves from the workspace", () => {
        expect(path.relative(REPO, copy).startsWith("..")).toBe(true);
        expect(fs.existsSync(path.join(copy, "node_modules"))).toBe(false);
    });

    test("installs from its own lock file, production dependencies only, as an installer that omits dev dependencies would", () => {
        const { status, output } = run(
            "npm",
            ["ci", "--omit=dev", "--prefer-offline", "--no-audit", "--no-fund", "--ignore-scripts"],
            copy,
        );
        expect([status, output]).toEqual([0, expect.any(String)]);
        // The provider SDKs are there for their input types: the policies read props through them,
        // and the CLI type-checks the pack as it loads it.
        const needed = [
            "@pulumi/policy",
            "@pulumi/pulumi",
            "typescript",
            "ts-node",
            "@types/node",
            "@pulumi/aws",
            "@pulumi/gcp",
            "@pulumi/kubernetes",
        ];
        for (const name of needed) {
            expect([name, fs.existsSync(path.join(copy, "node_modules", name, "package.json"))]).toEqual([name, true]);
        }
    }, 500_000);

    test("type-checks alone with its own tsconfig.json and TypeScript", () => {
        const tsc = path.join(copy, "node_modules", "typescript", "bin", "tsc");
        const { status, output } = run(process.execPath, [tsc, "-p", "tsconfig.json"], copy);
        expect([status, output]).toEqual([0, ""]);
    }, 300_000);

    test("starts under the CLI's policy host and serves its policies", async () => {
        const host = require.resolve("@pulumi/pulumi/cmd/run-policy-pack", { paths: [copy] });
        expect(host.startsWith(copy)).toBe(true);
        server = spawn(process.execPath, [host, "127.0.0.1:1", "."], { cwd: copy, stdio: ["ignore", "pipe", "pipe"] });
        const port = await portLine(server);

        const grpc = fromCopy("@grpc/grpc-js");
        const rpc = fromCopy("@pulumi/pulumi/proto/analyzer_grpc_pb");
        const messages = fromCopy("@pulumi/pulumi/proto/analyzer_pb");
        const empty = fromCopy("google-protobuf/google/protobuf/empty_pb");
        const struct = fromCopy("google-protobuf/google/protobuf/struct_pb");
        const credentials = call(member(grpc, "credentials"), "createInsecure");
        const client = construct(rpc.AnalyzerClient, `127.0.0.1:${port}`, credentials);
        try {
            const info = await unary(client, "getAnalyzerInfo", construct(member(empty, "Empty")));
            expect(call(info, "getName")).toBe("modelfleet-guardrails");
            expect(call(info, "getVersion")).toBe("0.1.0");
            const served = call(info, "getPoliciesList");
            const names = Array.isArray(served) ? served.map((p: unknown) => call(p, "getName")) : [];
            expect(names).toEqual(expect.arrayContaining(["container-resources", "image-pinned", "gpu-max-per-pod", "kms-key-rotation"]));
            expect(names.length).toBeGreaterThanOrEqual(25);

            // A Deployment whose container sets no resources: the pack's own server must reject it.
            const request = construct(member(messages, "AnalyzeRequest"));
            call(request, "setType", "kubernetes:apps/v1:Deployment");
            call(request, "setUrn", "urn:pulumi:dev::modelfleet::kubernetes:apps/v1:Deployment::bare");
            call(request, "setName", "bare");
            call(request, "setOptions", construct(member(messages, "AnalyzerResourceOptions")));
            const props = {
                metadata: { name: "bare", namespace: "serving" },
                spec: {
                    selector: { matchLabels: { app: "bare" } },
                    template: { metadata: { labels: { app: "bare" } }, spec: { containers: [{ name: "bare", image: "nginx:1.27.3" }] } },
                },
            };
            call(request, "setProperties", call(member(struct, "Struct"), "fromJavaScript", props));
            const response = await unary(client, "analyze", request);
            const diagnostics = call(response, "getDiagnosticsList");
            const violated = Array.isArray(diagnostics) ? diagnostics.map((d: unknown) => call(d, "getPolicyname")) : [];
            expect(violated).toContain("container-resources");
        } finally {
            call(client, "close");
        }
    }, 300_000);
});
